import { Module } from '@nestjs/common';
import { AvatarsService } from './avatars.service';
import { AvatarsController } from './avatars.controller';

/** Avatars: the QR code of an enrollment URI. */
@Module({ controllers: [AvatarsController], providers: [AvatarsService] })
export class AvatarsModule {}
