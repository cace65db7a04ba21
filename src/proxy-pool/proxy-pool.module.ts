import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProxiesController } from './proxies.controller';
import { Proxy } from './proxy.entity';
import { ProxyPoolService } from './proxy-pool.service';

/** The outbound proxy pool (`/api/proxies`); providers' calls go through its dispatchers. */
@Module({
  imports: [TypeOrmModule.forFeature([Proxy])],
  controllers: [ProxiesController],
  providers: [ProxyPoolService],
  exports: [ProxyPoolService],
})
export class ProxyPoolModule {}
