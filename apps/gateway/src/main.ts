import 'reflect-metadata';
import { runMain } from '@iir/platform';
import { gatewayService } from './gateway.service-definition';

runMain(gatewayService);
