import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ChannelHeartbeat } from './channel-heartbeat.service';

@Module({ imports: [ChannelsModule], providers: [ChannelHeartbeat], exports: [ChannelHeartbeat] })
export class HeartbeatModule {}
