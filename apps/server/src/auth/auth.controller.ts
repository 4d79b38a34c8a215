import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiZod, ZodBody } from '../common/zod.js';
import { createUserSchema, loginSchema, tokenSchema, userSchema } from './auth.dto.js';
import { CurrentPrincipal, Public, Roles } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import type { Principal } from './principal.js';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiZod({ body: loginSchema, response: tokenSchema })
  login(@ZodBody(loginSchema) body: z.output<typeof loginSchema>) {
    return this.auth.login(body.email, body.password);
  }

  @ApiBearerAuth()
  @Get('auth/me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @ApiBearerAuth()
  @Roles('manager')
  @Post('users')
  @ApiZod({ body: createUserSchema, response: userSchema, status: 201 })
  createUser(@ZodBody(createUserSchema) body: z.output<typeof createUserSchema>) {
    return this.auth.createUser(body);
  }

  @ApiBearerAuth()
  @Roles('manager')
  @Get('users')
  @ApiZod({ response: userSchema.array() })
  listUsers() {
    return this.auth.listUsers();
  }
}
