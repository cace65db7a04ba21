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
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { BatchDeleteDto, BatchDeleteResultView } from '../common/dto/batch-delete.dto';
import {
  CreateModelDto,
  CreateRouteDto,
  ModelView,
  RouteView,
  UpdateModelDto,
  UpdateRouteDto,
} from './dto/model.dto';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiBearerAuth('jwt')
@Controller('api/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @ApiOperation({ summary: 'List public models with their routes' })
  @ApiOkResponse({ type: [ModelView] })
  async list(): Promise<ModelView[]> {
    return (await this.models.list()).map((m) => ModelsService.view(m));
  }

  @Post()
  @ApiOperation({ summary: 'Create a public model, optionally with its routes' })
  @ApiCreatedResponse({ type: ModelView })
  @ApiConflictResponse({ description: 'A model with this name exists' })
  async create(@Body() dto: CreateModelDto): Promise<ModelView> {
    return ModelsService.view(await this.models.create(dto));
  }

  @Post('batch-delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete several models (and their routes)' })
  @ApiOkResponse({ type: BatchDeleteResultView })
  async batchDelete(@Body() dto: BatchDeleteDto): Promise<BatchDeleteResultView> {
    return { deleted: await this.models.batchDelete(dto.ids) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one model with its routes' })
  @ApiOkResponse({ type: ModelView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ModelView> {
    return ModelsService.view(await this.models.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a model (name, strategy, stickiness, attempts, enabled…)' })
  @ApiOkResponse({ type: ModelView })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateModelDto): Promise<ModelView> {
    return ModelsService.view(await this.models.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a model and its routes' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.models.remove(id);
  }
}

@ApiTags('models')
@ApiBearerAuth('jwt')
@Controller('api/model-routes')
export class ModelRoutesController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @ApiOperation({ summary: 'List routes (optionally of one model)' })
  @ApiQuery({ name: 'modelId', required: false })
  @ApiOkResponse({ type: [RouteView] })
  async list(
    @Query('modelId', new ParseUUIDPipe({ optional: true })) modelId?: string,
  ): Promise<RouteView[]> {
    return (await this.models.listRoutes(modelId)).map((r) => ModelsService.routeView(r));
  }

  @Post()
  @ApiOperation({ summary: 'Add a route (provider + upstream model) to a model' })
  @ApiCreatedResponse({ type: RouteView })
  async create(@Body() dto: CreateRouteDto): Promise<RouteView> {
    return ModelsService.routeView(await this.models.createRoute(dto));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a route (weight, priority, capabilities, enabled…)' })
  @ApiOkResponse({ type: RouteView })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateRouteDto): Promise<RouteView> {
    return ModelsService.routeView(await this.models.updateRoute(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a route' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.models.removeRoute(id);
  }
}
