import { Injectable, Logger } from '@nestjs/common';
import type { ResolvedApiKey } from '../api-keys/api-keys.service';
import { AppConfig } from '../config/app-config';
import type { RuntimeModel } from '../routing/runtime.types';
import { BudgetHold, BudgetsService } from './budgets.service';
import { costOf, TokenUsage } from './cost';
import { PricesService } from './prices.service';
import { RateHold, RateLimitsService } from './rate-limits.service';

/** What a request holds from admission until it settles. */
export interface Admission {
  rate: RateHold | null;
  budget: BudgetHold | null;
}

export type AdmitResult =
  | { ok: true; admission: Admission | null; headers: Record<string, string> }
  | {
      ok: false;
      status: 429;
      code: 'rate_limit_exceeded' | 'insufficient_quota';
      message: string;
      headers: Record<string, string>;
    };

/** A finished request as billing sees it. */
export interface BillableRequest {
  requestId: string;
  key: ResolvedApiKey;
  model: string;
  /** The route that answered (null: none did). */
  chosen: { providerId: string; upstreamModel: string } | null;
  usage: TokenUsage & { estimated: boolean };
}

/** A priced request: what its log row and usage-ledger row record. */
export interface Settlement {
  costUsd: number;
  /** Tokens were used: the request gets a usage-ledger row. */
  billed: boolean;
  /** The price row used (null: no price known, cost 0). */
  priceId: string | null;
}

/**
 * The gateway's one entry into billing. `admit` runs before routing: rate limits, then a budget
 * reservation for the request's estimated cost (both skipped, with no work at all, for keys without
 * limits or budgets). `settle` runs once when the request ends, whatever the outcome: it prices the
 * usage, releases the reservation against the actual cost and corrects the token window; the ledger
 * row goes with the request's log row (LogWriter writes both in one statement).
 */
@Injectable()
export class BillingService {
  private readonly logger = new Logger('Billing');
  private readonly reserveOutputTokens: number;

  constructor(
    private readonly prices: PricesService,
    private readonly budgets: BudgetsService,
    private readonly limits: RateLimitsService,
    config: AppConfig,
  ) {
    this.reserveOutputTokens = config.budgetReserveOutputTokens;
  }

  /**
   * @param estimateInput lazily estimated input tokens (only computed when a limit or budget needs it)
   * @param maxOutputTokens the request's own output cap, if it set one
   */
  async admit(
    key: ResolvedApiKey,
    model: RuntimeModel,
    estimateInput: () => number,
    maxOutputTokens: number | undefined,
  ): Promise<AdmitResult> {
    const subject = { keyId: key.id, userId: key.userId, tenantId: key.tenantId };
    const limited = this.limits.applies(key, model.name);
    const budgeted = this.budgets.applies(subject);
    if (!limited && !budgeted) return { ok: true, admission: null, headers: {} };
    const estIn = estimateInput();
    const estOut = maxOutputTokens ?? this.reserveOutputTokens;
    let rate: RateHold | null = null;
    let headers: Record<string, string> = {};
    if (limited) {
      const r = await this.limits.check(key, model.name, estIn);
      headers = r.headers;
      if (!r.ok) return { ok: false, status: 429, code: 'rate_limit_exceeded', message: r.message, headers };
      rate = r.hold;
    }
    let budget: BudgetHold | null = null;
    if (budgeted) {
      const estUsd = this.estimateCost(model, { inputTokens: estIn, outputTokens: estOut });
      const b = await this.budgets.reserve(subject, estUsd);
      if (!b.ok) {
        if (rate) void this.limits.reconcile(rate, 0).catch(() => undefined);
        return {
          ok: false,
          status: 429,
          code: 'insufficient_quota',
          message:
            `You exceeded your current quota: the ${b.budget.period} budget of this ${b.budget.scope} ` +
            `($${b.budget.amountUsd}) is used up ($${b.spentUsd.toFixed(6)} spent).`,
          headers,
        };
      }
      budget = b.hold;
    }
    return { ok: true, admission: rate || budget ? { rate, budget } : null, headers };
  }

  /** The highest price among the model's routes (a reservation should not under-estimate). */
  private estimateCost(model: RuntimeModel, u: { inputTokens: number; outputTokens: number }): number {
    const usage = { ...u, cachedTokens: 0, reasoningTokens: 0 };
    let max = 0;
    for (const r of model.routes) {
      const p = this.prices.lookup(model.name, { providerId: r.provider.id, model: r.upstreamModel });
      if (p) max = Math.max(max, costOf(usage, p));
    }
    if (!model.routes.length) {
      const p = this.prices.lookup(model.name);
      if (p) max = costOf(usage, p);
    }
    return max;
  }

  /**
   * Prices a finished request: the cost and, when it is billed (tokens were used), the price row, for
   * its log row and the ledger row written with it. The counters are settled in the background.
   */
  settle(req: BillableRequest, admission: Admission | null): Settlement {
    const price = this.prices.lookup(
      req.model,
      req.chosen ? { providerId: req.chosen.providerId, model: req.chosen.upstreamModel } : undefined,
    );
    const u = req.usage;
    const billed = u.inputTokens > 0 || u.outputTokens > 0;
    const costUsd = price && billed ? costOf(u, price) : 0;
    if (admission) {
      const work: Promise<void>[] = [];
      if (admission.budget) work.push(this.budgets.settle(admission.budget, costUsd));
      if (admission.rate) work.push(this.limits.reconcile(admission.rate, u.inputTokens + u.outputTokens));
      void Promise.all(work).catch((e: Error) =>
        this.logger.warn(`could not settle counters of ${req.requestId}: ${e.message}`),
      );
    }
    return { costUsd, billed, priceId: price?.id ?? null };
  }
}
