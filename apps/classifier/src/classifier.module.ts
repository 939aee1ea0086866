import { Module, type DynamicModule } from '@nestjs/common';
import { classifierMetrics } from './classifier-metrics';
import { ClassifyController } from './classify/classify.controller';
import { CLASSIFIER_MODEL, ClassifierService } from './model/classifier.service';
import { loadModelFile } from './model/model-file';
import { PromptClassifier } from './model/prompt-classifier';

export interface ClassifierSettings {
  /** The trained model file, read once at boot. */
  modelPath: string;
}

@Module({})
export class ClassifierModule {
  static register(settings: ClassifierSettings): DynamicModule {
    classifierMetrics();
    return {
      module: ClassifierModule,
      controllers: [ClassifyController],
      providers: [
        { provide: CLASSIFIER_MODEL, useFactory: () => new PromptClassifier(loadModelFile(settings.modelPath)) },
        ClassifierService,
      ],
    };
  }
}
