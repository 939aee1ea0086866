import 'reflect-metadata';
import { runMain } from '@iir/platform';
import { authService } from './auth.service-definition';

runMain(authService);
