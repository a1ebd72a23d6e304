import { Module } from '@nestjs/common';
import { AvatarsController } from './avatars.controller';

/** Avatars: the QR code of an enrollment URI. */
@Module({ controllers: [AvatarsController] })
export class AvatarsModule {}
