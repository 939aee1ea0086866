import { Inject } from '@nestjs/common';

/** The service's `Bus` (NATS or in process). */
export const BUS = Symbol('iir.bus');
/** The service's validated configuration object. */
export const CONFIG = Symbol('iir.config');

export const InjectBus = (): ParameterDecorator => Inject(BUS);
export const InjectConfig = (): ParameterDecorator => Inject(CONFIG);

/** Name, version and instance of the running service. */
export class ServiceInfo {
  readonly startedAt = Date.now();
  constructor(
    readonly name: import('@iir/contracts').ServiceName,
    readonly version: string,
    readonly instanceId: string,
  ) {}
}
