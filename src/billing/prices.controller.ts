import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../auth/decorators';
import { CreatePriceDto, PriceQueryDto, UpdatePriceDto } from './dto/price.dto';
import { Price } from './price.entity';
import { PricesService } from './prices.service';

/** The price table: any signed-in user reads it; admins edit it. */
@ApiTags('billing')
@ApiBearerAuth('jwt')
@Controller('api/prices')
export class PricesController {
  constructor(private readonly prices: PricesService) {}

  @Get()
  @ApiOperation({ summary: 'List prices (USD per 1M tokens), filterable by model substring' })
  @ApiOkResponse({
    schema: {
      example: {
        items: [
          {
            id: '0b7f…',
            model: 'gpt-4o-mini',
            providerId: null,
            inputPerM: 0.15,
            outputPerM: 0.6,
            cachedInputPerM: 0.075,
            cacheWritePerM: null,
            reasoningPerM: null,
            effectiveFrom: '1970-01-01T00:00:00.000Z',
            note: 'seed list price',
          },
        ],
        total: 1,
        page: 1,
        pageSize: 100,
      },
    },
  })
  list(@Query() q: PriceQueryDto) {
    return this.prices.list(q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one price' })
  @ApiOkResponse({ type: Price })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Price> {
    return this.prices.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary:
      'Add a price (admin). Several rows per model with different effectiveFrom form its price history.',
  })
  @ApiCreatedResponse({ type: Price })
  create(@Body() dto: CreatePriceDto): Promise<Price> {
    return this.prices.create(dto);
  }

  @Post('seed')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add the shipped list prices for models that have no price yet (admin)' })
  @ApiOkResponse({ schema: { example: { added: 3 } } })
  seed(): Promise<{ added: number }> {
    return this.prices.applySeed();
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a price (admin)' })
  @ApiOkResponse({ type: Price })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdatePriceDto): Promise<Price> {
    return this.prices.update(id, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a price (admin)' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.prices.remove(id);
  }
}
