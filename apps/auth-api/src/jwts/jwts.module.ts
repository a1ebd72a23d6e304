import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { JwtsController } from './jwts.controller';

/** Account JWTs; the guard accepts them through AccessModule's AccountJwtService. */
@Module({ imports: [AccessModule], controllers: [JwtsController] })
export class JwtsModule {}
