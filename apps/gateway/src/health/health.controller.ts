import { REQUIRED_SERVICES } from '@iir/contracts';
import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ServicesHealth } from './services-health';

export const HEALTH_TIMEOUT_MS = Symbol('HEALTH_TIMEOUT_MS');

/**
 * `GET /health`: every service the gateway can reach over the bus, with version and latency.
 * 200 when every required service answers, 503 naming the missing ones otherwise.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly services: ServicesHealth,
    @Inject(HEALTH_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Get('health')
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const services = await this.services.probeAll(this.timeoutMs);
    const missing = services
      .filter((s) => s.status !== 'up' && REQUIRED_SERVICES.includes(s.name))
      .map((s) => s.name);
    void reply.status(missing.length === 0 ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: missing.length === 0 ? 'ok' : 'error', missing, services };
  }
}
