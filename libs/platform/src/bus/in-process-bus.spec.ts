import { busContract } from './bus.contract';
import { InProcessBus } from './in-process-bus';

busContract(
  'in-process',
  async () => new InProcessBus(),
  (bus) => bus.drain(),
);
