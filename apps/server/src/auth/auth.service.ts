import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import argon2 from 'argon2';
import type { Repository } from 'typeorm';
import type { z } from 'zod';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import type { createUserSchema } from './auth.dto.js';
import type { Principal, TokenClaims } from './principal.js';
import { UserEntity } from './user.entity.js';

/** Verifying against this keeps a login for an unknown e-mail as slow as one with a wrong password. */
const DUMMY_HASH = argon2.hash('lookout-timing-equaliser');

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly jwt: JwtService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** The first manager comes from configuration (ADMIN_EMAIL / ADMIN_PASSWORD) when there is no manager yet. */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.existsBy({ role: 'manager' })) return;
    const { adminEmail, adminPassword } = this.config.auth;
    const password = adminPassword ?? randomBytes(12).toString('base64url');
    await this.createUser({ email: adminEmail, password, role: 'manager', supplierId: null });
    this.logger.warn(
      adminPassword
        ? `created the first manager account ${adminEmail} from ADMIN_PASSWORD`
        : `created the first manager account ${adminEmail} with generated password ${password} (shown once; set ADMIN_PASSWORD to choose it)`,
    );
  }

  async createUser(input: z.output<typeof createUserSchema>): Promise<UserEntity> {
    const passwordHash = await argon2.hash(input.password);
    const saved = await this.users.save(
      this.users.create({
        email: input.email.toLowerCase(),
        passwordHash,
        role: input.role,
        supplierId: input.supplierId,
      }),
    );
    return this.users.findOneByOrFail({ id: saved.id });
  }

  async listUsers(): Promise<UserEntity[]> {
    return this.users.find({ order: { createdAt: 'ASC' } });
  }

  async login(email: string, password: string) {
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.toLowerCase() })
      .getOne();
    const valid = user
      ? await argon2.verify(user.passwordHash, password)
      : await argon2.verify(await DUMMY_HASH, password).then(() => false);
    if (!user || !valid)
      throw new DomainException(DomainErrorCode.Unauthenticated, 'wrong e-mail or password');
    const claims: TokenClaims = {
      sub: user.id,
      email: user.email,
      role: user.role,
      supplierId: user.supplierId,
    };
    const { passwordHash: _hash, ...publicUser } = user;
    return {
      accessToken: await this.jwt.signAsync(claims),
      tokenType: 'Bearer' as const,
      expiresInS: this.config.auth.jwtTtlS,
      user: publicUser,
    };
  }

  /** A token for an existing account, minted in-process (the demo's WebSocket client); never exposed over HTTP. */
  async tokenFor(email: string): Promise<string> {
    const user = await this.users.findOneByOrFail({ email: email.toLowerCase() });
    const claims: TokenClaims = {
      sub: user.id,
      email: user.email,
      role: user.role,
      supplierId: user.supplierId,
    };
    return this.jwt.signAsync(claims);
  }

  /** Verifies a bearer token (HTTP or WebSocket handshake) and returns who it belongs to. */
  async verify(token: string): Promise<Principal> {
    try {
      const claims = await this.jwt.verifyAsync<TokenClaims>(token);
      return { userId: claims.sub, email: claims.email, role: claims.role, supplierId: claims.supplierId };
    } catch (error) {
      throw new DomainException(
        DomainErrorCode.Unauthenticated,
        `invalid token: ${(error as Error).message}`,
      );
    }
  }
}
