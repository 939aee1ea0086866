import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { RpcErrorFilter } from './rpc-error.filter';

/**
 * A controller whose handlers answer on the bus. Their errors reach the caller as typed
 * `{code, message}` (a `BusError` there) instead of Nest's generic "Internal server error".
 */
export function BusController(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(RpcErrorFilter));
}
