import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from './principal.js';

export const IS_PUBLIC = 'lookout:public';
export const ROLES_KEY = 'lookout:roles';

/** No authentication: only /health and /auth/login. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the endpoint. Without it: every role may read, viewers may not write. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
