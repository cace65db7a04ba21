import { Body, Controller, Get, HttpCode, ParseBoolPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/decorators';
import { ConfigTransferService } from './config-transfer.service';
import { ConfigDocument, ImportConfigDto, ImportResultView } from './dto/config-transfer.dto';

@ApiTags('config')
@ApiBearerAuth('jwt')
@Roles('admin')
@Controller('api/config')
export class ConfigTransferController {
  constructor(private readonly transfer: ConfigTransferService) {}

  @Get('export')
  @ApiOperation({
    summary:
      'Export the proxy pool, providers (with proxy settings), models and routes as JSON (secrets only sealed, only when asked)',
  })
  @ApiQuery({
    name: 'includeSecrets',
    required: false,
    type: Boolean,
    description: 'Include provider keys and headers and proxy credentials as AES-GCM ciphertext',
  })
  @ApiOkResponse({ type: ConfigDocument })
  export(
    @Query('includeSecrets', new ParseBoolPipe({ optional: true })) includeSecrets?: boolean,
  ): Promise<ConfigDocument> {
    return this.transfer.export(includeSecrets === true);
  }

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import a config document in one transaction: create or update proxies, providers and models by name (idempotent)',
  })
  @ApiOkResponse({ type: ImportResultView })
  import(@Body() dto: ImportConfigDto): Promise<ImportResultView> {
    return this.transfer.import(dto.config);
  }
}
