import { SUBJECTS, type ClassifyResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ClassifierService } from '../model/classifier.service';

/** `classifier.prompt.classify`: the label and complexity of a conversation's last user message. */
@BusController()
export class ClassifyController {
  constructor(private readonly classifier: ClassifierService) {}

  @MessagePattern(SUBJECTS.classifier.classify)
  classify(@Payload() request: unknown): ClassifyResponse {
    return this.classifier.classify(request);
  }
}
