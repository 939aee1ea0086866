import { SUBJECTS, type ClassifyResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { classifierMetrics } from '../classifier-metrics';
import { ClassifierService } from '../model/classifier.service';

/** `classifier.prompt.classify`: the label and complexity of a conversation's last user message. */
@BusController()
export class ClassifyController {
  private readonly metrics = classifierMetrics();

  constructor(private readonly classifier: ClassifierService) {}

  @MessagePattern(SUBJECTS.classifier.classify)
  classify(@Payload() request: unknown): ClassifyResponse {
    try {
      const answer = this.classifier.classify(request);
      this.metrics.requests.inc({ outcome: 'ok' });
      return answer;
    } catch (error) {
      this.metrics.requests.inc({ outcome: 'error' });
      throw error;
    }
  }
}
