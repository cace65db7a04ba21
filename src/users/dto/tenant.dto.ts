import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class TenantDto {
  @ApiProperty({ example: 'Acme Research', maxLength: 120 })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;
}

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Research' }) name: string;
  @ApiProperty({ example: 3, description: 'Users in this tenant' }) users: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}
