import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';

/** Body of every `POST /api/<things>/batch-delete`. */
export class BatchDeleteDto {
  @ApiProperty({ type: [String], format: 'uuid', example: ['8d0c5f52-3f0a-4c0e-9f6e-2a1f3b7c9d10'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  ids: string[];
}

export class BatchDeleteResultView {
  @ApiProperty({ example: 2 }) deleted: number;
}
