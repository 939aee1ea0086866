import 'reflect-metadata';
import { runMain } from '@iir/platform';
import { registryService } from './registry.service-definition';

runMain(registryService);
