import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Sql } from './sql';

/** Provides {@link Sql} over the application's TypeORM DataSource (TypeOrmModule.forRoot), to every module. */
@Global()
@Module({
  providers: [{ provide: Sql, useFactory: (dataSource: DataSource) => Sql.over(dataSource), inject: [DataSource] }],
  exports: [Sql],
})
export class SqlModule {}
