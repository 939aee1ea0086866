import { BusError } from '@iir/contracts';
import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';

/** Bus handlers' errors cross the wire as typed `{code, message}`; anything else is an internal error. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const value = exception instanceof RpcException ? exception.getError() : exception;
    return throwError(() => BusError.from(value).toJSON());
  }
}
