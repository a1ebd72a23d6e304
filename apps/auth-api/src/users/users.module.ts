import { Module } from '@nestjs/common';
import { PasswordHasher } from './password-hasher.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users and passwords (no routes: see UsersApiModule, AccountsModule). */
@Module({
  providers: [UsersRepository, PasswordHasher, UsersService],
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
