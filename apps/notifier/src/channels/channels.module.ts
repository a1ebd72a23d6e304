import { Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry.service';

@Module({ providers: [ChannelRegistry], exports: [ChannelRegistry] })
export class ChannelsModule {}
