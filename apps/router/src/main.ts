import 'reflect-metadata';
import { runMain } from '@iir/platform';
import { routerService } from './router.service-definition';

runMain(routerService);
