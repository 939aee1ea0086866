import 'reflect-metadata';
import { runMain } from '@iir/platform';
import { classifierService } from './classifier.service-definition';

runMain(classifierService);
