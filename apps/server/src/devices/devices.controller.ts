import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import {
  deviceConfigInputSchema,
  deviceInputSchema,
  deviceModelInputSchema,
  deviceModelQuerySchema,
  deviceModelUpdateSchema,
  deviceQuerySchema,
  deviceUpdateSchema,
} from './devices.dto.js';
import { DevicesService } from './devices.service.js';

type Out<T extends z.ZodType> = z.output<T>;

@ApiTags('device models')
@ApiBearerAuth()
@Controller('device-models')
export class DeviceModelsController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @ApiZod({ query: deviceModelQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(deviceModelQuerySchema) query: Out<typeof deviceModelQuerySchema>,
  ) {
    return this.devices.listModels(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.devices.getModel(principal, id);
  }

  @Roles('manager', 'supplier')
  @Post()
  @ApiZod({ body: deviceModelInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(deviceModelInputSchema) body: Out<typeof deviceModelInputSchema>,
  ) {
    return this.devices.createModel(principal, body);
  }

  /** `acceptedConfig` (the certified configuration, the reference for drift) is a manager's decision. */
  @Roles('manager', 'supplier')
  @Patch(':id')
  @ApiZod({ body: deviceModelUpdateSchema })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(deviceModelUpdateSchema) body: Out<typeof deviceModelUpdateSchema>,
  ) {
    return this.devices.updateModel(principal, id, body);
  }
}

@ApiTags('devices')
@ApiBearerAuth()
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @ApiZod({ query: deviceQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(deviceQuerySchema) query: Out<typeof deviceQuerySchema>,
  ) {
    return this.devices.listDevices(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.devices.getDevice(principal, id);
  }

  /** The response carries the device's MQTT credential; it is shown this once and stored only hashed. */
  @Roles('manager', 'supplier')
  @Post()
  @ApiZod({ body: deviceInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(deviceInputSchema) body: Out<typeof deviceInputSchema>,
  ) {
    return this.devices.createDevice(principal, body);
  }

  @Roles('manager', 'supplier')
  @Patch(':id')
  @ApiZod({ body: deviceUpdateSchema })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ZodBody(deviceUpdateSchema) body: Out<typeof deviceUpdateSchema>,
  ) {
    return this.devices.updateDevice(principal, id, body);
  }

  /** Issues a new MQTT credential (the old one stops working); shown once. */
  @Roles('manager', 'supplier')
  @Post(':id/credentials')
  rotateCredential(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.devices.rotateCredential(principal, id);
  }

  /** Configurations over time, each with `drift`: the fields that differ from the model's accepted one. */
  @Get(':id/configs')
  listConfigs(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.devices.listConfigs(principal, id);
  }

  @Roles('manager', 'supplier')
  @Post(':id/configs')
  @ApiZod({ body: deviceConfigInputSchema, status: 201 })
  addConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ZodBody(deviceConfigInputSchema) body: Out<typeof deviceConfigInputSchema>,
  ) {
    return this.devices.addConfig(principal, id, body);
  }
}
