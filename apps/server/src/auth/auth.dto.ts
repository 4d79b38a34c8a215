import { z } from 'zod';
import { ROLES } from './principal.js';

export const loginSchema = z.object({
  email: z.email(),
  password: z.string().min(1).max(200),
});

export const createUserSchema = z
  .object({
    email: z.email(),
    password: z.string().min(12, 'password must be at least 12 characters').max(200),
    role: z.enum(ROLES),
    supplierId: z.uuid().nullable().default(null),
  })
  .refine((user) => (user.role === 'supplier') === (user.supplierId !== null), {
    message: 'supplierId is required for a supplier user and must be null otherwise',
    path: ['supplierId'],
  });

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  supplierId: z.uuid().nullable(),
  createdAt: z.date(),
});

export const tokenSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresInS: z.number().int(),
  user: userSchema,
});
