import 'reflect-metadata';
import { runMain } from '@iir/platform';
import { agentService } from './agent.service-definition';

runMain(agentService);
