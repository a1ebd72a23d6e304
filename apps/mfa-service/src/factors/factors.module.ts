import { Module } from '@nestjs/common';
import { ChallengesModule } from '../challenges/challenges.module';
import { FactorsController } from './factors.controller';
import { FactorsService } from './factors.service';

@Module({ imports: [ChallengesModule], controllers: [FactorsController], providers: [FactorsService] })
export class FactorsModule {}
