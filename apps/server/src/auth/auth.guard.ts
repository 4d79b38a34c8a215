import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.interceptor.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { toErrorBody } from '../common/http-exception.filter.js';
import { IS_PUBLIC, ROLES_KEY } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import { READ_METHODS, type Principal, type Role } from './principal.js';

/**
 * Every HTTP endpoint requires a bearer JWT unless marked @Public(). Then: @Roles() when present, and
 * otherwise the default rule that viewers are read-only.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    try {
      return await this.authorise(context, request);
    } catch (error) {
      // A refused write is still a write attempt: audit it (the audit interceptor never sees it).
      if (!READ_METHODS.has(request.method)) await this.audit.record(request, toErrorBody(error).statusCode);
      throw error;
    }
  }

  private async authorise(
    context: ExecutionContext,
    request: Request & { principal?: Principal },
  ): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) {
      throw new DomainException(
        DomainErrorCode.Unauthenticated,
        'missing bearer token: log in at POST /auth/login',
      );
    }
    const principal = await this.auth.verify(token);
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new DomainException(DomainErrorCode.Forbidden, `this needs role ${roles.join(' or ')}`);
    }
    if (!roles && principal.role === 'viewer' && !READ_METHODS.has(request.method)) {
      throw new DomainException(DomainErrorCode.Forbidden, 'viewers are read-only');
    }
    return true;
  }
}
