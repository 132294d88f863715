import path from 'node:path';
import { connectSharedState, type SharedState } from './adapters/redis';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/client';
import { runDataSteps } from './db/data-steps';
import { systemClock, type Clock } from './lib/clock';
import type { StartupReport } from './lib/startup-report';
import { EventBus, type PlatformEvents } from './lib/events';
import { createLogger, type Logger } from './lib/logger';
import { PiiCipher } from './lib/pii';
import { AccountsService, LoginThrottle, MfaService, RolesService, StaffService } from './modules/accounts';
import { ApplicationsService, AuthorizationLetters, OffersService, SubmissionService } from './modules/applications';
import { ConsentsService } from './modules/consents';
import { DevelopmentVerificationProvider, IdentityService } from './modules/identity';
import { DataRightsService } from './modules/data-rights';
import { MessagesService } from './modules/messages';
import { WebhooksService } from './modules/webhooks';
import { PrescreenService } from './modules/prescreen';
import { RiskService, type RiskThresholds } from './modules/risk';
import { DocumentsService, type DocumentQuotas } from './modules/documents';
import { LocalBlobStore, SealedBlobStore } from './adapters/storage';
import { AnalyticsService, BiService, StaffPerformanceService } from './modules/analytics';
import { AuditService } from './modules/audit';
import { CatalogueService } from './modules/catalogue';
import { IdempotencyService } from './modules/idempotency';
import { InstitutionsService, LenderProfilesService, LicencesService, OnboardingService } from './modules/institutions';
import { ReconciliationService, SettlementService, StatementsService, type PaymentGateway } from './modules/settlement';
import { ChannelPayoutsService } from './modules/channel-payouts';
import { SettingsService } from './modules/settings';
import { ContentService } from './modules/content';
import { RecommendationsService } from './modules/recommendations';
import { NotificationsService, OutboxProvider, type MessageProvider } from './modules/notifications';
import { MemorySearchIndex, SearchDictionaryService, type SearchIndex } from './modules/search';
import { HttpGatewayProvider } from './adapters/sms';
import { ComplaintsService, FeedbackService, ReviewsService } from './modules/feedback';
import { ProductsService } from './modules/products';
import { PromotionsService } from './modules/promotions';
import { RankingService } from './modules/ranking';
import { JobsService } from './modules/jobs';
import { allWork } from './jobs/registry';
import { Scheduler } from './jobs/scheduler';
import { CollectionsService, LoansService, PostLoanService, ScheduleChangesService } from './modules/loans';
import { CreditService } from './modules/credit';
import { NoCreditBureau } from './adapters/credit-bureau';
import { OddsService } from './modules/odds';
import { ContractsService } from './modules/contracts';
import { createESignProvider, type ESignProvider } from './adapters/esign';
import { ChannelPortal, ChannelsService } from './modules/channels';
import { DeskLive, DeskService, deskTransport } from './modules/desk';

export interface Services {
  accounts: AccountsService;
  institutions: InstitutionsService;
  /** lenders' public pages and the institutions' reviewed changes to them */
  lenderProfiles: LenderProfilesService;
  catalogue: CatalogueService;
  applications: ApplicationsService;
  offers: OffersService;
  settlement: SettlementService;
  statements: StatementsService;
  reconciliation: ReconciliationService;
  /** channel agreements, payables in the ledger, invalid traffic exclusions, channel statements */
  channelPayouts: ChannelPayoutsService;
  audit: AuditService;
  idempotency: IdempotencyService;
  recommendations: RecommendationsService;
  notifications: NotificationsService;
  identity: IdentityService;
  consents: ConsentsService;
  submission: SubmissionService;
  dataRights: DataRightsService;
  messages: MessagesService;
  webhooks: WebhooksService;
  prescreen: PrescreenService;
  risk: RiskService;
  documents: DocumentsService;
  settings: SettingsService;
  staff: StaffService;
  /** custom roles (角色与权限): operators' and each institution's own */
  roles: RolesService;
  mfa: MfaService;
  onboarding: OnboardingService;
  licences: LicencesService;
  complaints: ComplaintsService;
  reviews: ReviewsService;
  /** 意见反馈: borrowers' suggestions and problem reports, triaged and answered by operators */
  feedback: FeedbackService;
  /** staff performance: an institution's staff and the platform's operators, per person over a period */
  staffPerformance: StaffPerformanceService;
  analytics: AnalyticsService;
  bi: BiService;
  content: ContentService;
  products: ProductsService;
  promotions: PromotionsService;
  ranking: RankingService;
  searchDictionary: SearchDictionaryService;
  /** run records of the scheduled jobs */
  jobs: JobsService;
  /**
   * the scheduled jobs and tickers (server/jobs/registry.ts): jobs and worker tickers started in the
   * worker role, every instance's tickers in every role; jobs run on demand anywhere
   */
  scheduler: Scheduler;
  loans: LoansService;
  postLoan: PostLoanService;
  collections: CollectionsService;
  scheduleChanges: ScheduleChangesService;
  /** 信用评估: the borrower's questionnaire scored (no bureau in development) */
  credit: CreditService;
  /** 下款概率: the stored model (refitted nightly), a borrower's odds for a list of products */
  odds: OddsService;
  /** 合同: templates, signing with evidence, verification, registration agreements */
  contracts: ContractsService;
  /** the 个人信息授权书 of each consent, rendered and signed after the submission commits */
  authorizationLetters: AuthorizationLetters;
  /** what a channel partner's staff see of their own channel, and operators' channel-staff accounts */
  channelPortal: ChannelPortal;
  /** the e-signature service contracts are signed through (the local one by default) */
  esign: ESignProvider;
  /** 渠道: channel partners, tracking links, touches, attribution at registration, signed postbacks */
  channels: ChannelsService;
  /** 客服: conversations with borrowers and institutions, skill groups, the roster, canned replies, live streams */
  desk: DeskService;
}

export interface HealthCheck {
  name: 'database' | 'redis' | 'search';
  check(): Promise<void>;
}

export interface Container {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  shared: SharedState;
  pii: PiiCipher;
  search: SearchIndex;
  services: Services;
  health: HealthCheck[];
  close(): Promise<void>;
}

export interface ServiceInputs {
  database: DatabaseHandle;
  pii: PiiCipher;
  search: SearchIndex;
  shared: SharedState;
  messages?: MessageProvider;
  /** the time every service reads; default the system clock (tests pass a TestClock) */
  clock?: Clock;
  /** lead webhooks may target this machine (WEBHOOK_ALLOW_LOOPBACK, local testing only) */
  webhookAllowLoopback?: boolean;
  /** PUBLIC_URL: the origin of links sent outside the page (SMS) */
  publicUrl: string;
  risk?: RiskThresholds;
  documentQuotas?: DocumentQuotas;
  documentsDir?: string;
  mediaDir?: string;
  logger?: Logger;
  /** how institutions pay statements online (Stripe when configured); none: by bank transfer */
  paymentGateway?: PaymentGateway | null;
  /** ESIGN_PROVIDER: which e-signature service signs contracts (only `local` is built in) */
  esignProvider?: 'local';
  /** REDIS_PREFIX: the desk's live signals go out on `<prefix>desk_events` when Redis is used */
  redisPrefix?: string;
}

/** Builds every service with its named dependencies, then the scheduler over the work they declare. */
export function createServices(inputs: ServiceInputs): Services {
  const { database, pii, search, shared, logger } = inputs;
  const db = database.db;
  const clock = inputs.clock ?? systemClock;
  // in-process events (server/lib/events.ts): emitted after the emitter's transaction commits
  const events = new EventBus<PlatformEvents>(logger);
  const audit = new AuditService({ db, pii });
  const notifications = new NotificationsService({ db, pii, clock, audit, provider: inputs.messages ?? new OutboxProvider() });
  const consents = new ConsentsService({ db, audit, clock });
  const settings = new SettingsService({ db, audit, clock });
  const riskDefaults = inputs.risk ?? { maxAccountsPerDevice: 3, maxApplicationsPerDay: 10 };
  const risk = new RiskService({
    db,
    pii,
    thresholds: async () => ({
      maxAccountsPerDevice: await settings.getOr('risk.maxAccountsPerDevice', riskDefaults.maxAccountsPerDevice),
      maxApplicationsPerDay: await settings.getOr('risk.maxApplicationsPerDay', riskDefaults.maxApplicationsPerDay),
    }),
  });
  const throttle = new LoginThrottle({ db });
  const mfa = new MfaService({ db, pii, audit, throttle, clock });
  const accounts = new AccountsService({ db, pii, notifications, audit, mfa, throttle, clock, risk });
  const identity = new IdentityService({ db, pii, clock, provider: new DevelopmentVerificationProvider(), audit, accounts, risk });
  const webhooks = new WebhooksService({ db, pii, audit, clock, allowLoopback: inputs.webhookAllowLoopback ?? false });
  const prescreen = new PrescreenService({ db, audit });
  const settlement = new SettlementService({ db, pii, audit, clock });
  const statements = new StatementsService({ db, audit, clock, gateway: inputs.paymentGateway ?? null });
  const ranking = new RankingService({ db, audit, events });
  const promotions = new PromotionsService({ db, audit, clock, events });
  // offers are made once applications exist; the catalogue reads their pricing signal lazily
  // eslint-disable-next-line prefer-const
  let offers: OffersService;
  // the search dictionary operators edit; query understanding reads the version in force
  const searchDictionary: SearchDictionaryService = new SearchDictionaryService({ db, audit, events, clock, flushEvents: () => catalogue.flushEvents() });
  // 综合排序 reads the weights in force, the promotions running now and how offers compare with what
  // was advertised; complaint rates arrive as events
  const catalogue = new CatalogueService({
    db,
    search,
    cache: shared.cache,
    clock,
    events,
    signals: { weights: () => ranking.weights(), promotedNow: () => promotions.activeNow(), aboveAdvertised: () => offers.aboveAdvertisedShares() },
    dictionary: () => searchDictionary.active(),
  });
  const blobs = new SealedBlobStore(new LocalBlobStore(inputs.documentsDir ?? path.join(process.cwd(), 'data', 'documents')), pii);
  const staff = new StaffService({ db, pii, accountsService: accounts, audit, clock });
  const loans = new LoansService({ db, notifications, audit, clock });
  const applications = new ApplicationsService({ db, pii, catalogue, settlement, audit, notifications, consents, accounts, risk, settings, loans, clock });
  const contracts = new ContractsService({ db, store: blobs, audit, clock, agreementInForce: (institutionId, at) => settlement.agreementInForce(institutionId, at) });
  offers = new OffersService({ db, clock, applications, accounts, webhooks, contracts, identity });
  const products = new ProductsService({ db, catalogue, settings, audit, clock });
  const credit = new CreditService({ db, pii, audit, clock, bureau: new NoCreditBureau() });
  const odds = new OddsService({ db, clock, accounts, identity, credit });
  const reviews = new ReviewsService({ db, audit, identity, applications, clock });
  const complaints = new ComplaintsService({ db, audit, notifications, settings, identity, applications, pii, clock, events });
  const channels = new ChannelsService({
    db,
    pii,
    audit,
    clock,
    attributionWindowDays: () => settings.getOr('channels.attributionWindowDays', 30),
    publicUrl: inputs.publicUrl,
    allowLoopback: inputs.webhookAllowLoopback ?? false,
  });
  const feedback = new FeedbackService({ db, clock, store: blobs, audit, notifications, pii });
  const content = new ContentService({ db, audit, media: new LocalBlobStore(inputs.mediaDir ?? path.join(process.cwd(), 'data', 'media')), pii, clock });
  const desk = new DeskService({ db, pii, audit, clock, complaints, identity, content, notifications, live: new DeskLive(deskTransport(db, shared, inputs.redisPrefix), logger) });
  const domain: Omit<Services, 'scheduler'> = {
    jobs: new JobsService({ db, clock }),
    accounts,
    institutions: new InstitutionsService({ db, audit, catalogue }),
    catalogue,
    applications,
    offers,
    dataRights: new DataRightsService({ db, clock, accounts, identity, credit, consents, applications, notifications, audit, odds, loans, feedback, complaints, reviews, desk }),
    messages: new MessagesService({ db, consents, accounts, notifications }),
    submission: new SubmissionService({ db, pii, catalogue, accounts, identity, consents, audit, webhooks, prescreen, notifications, settlement, clock, risk, credit, odds }),
    webhooks,
    prescreen,
    risk,
    documents: new DocumentsService({ db, store: blobs, consents, audit, quotas: inputs.documentQuotas }),
    settlement,
    statements,
    reconciliation: new ReconciliationService({ db, audit, statements, clock }),
    channelPayouts: new ChannelPayoutsService({
      db,
      pii,
      audit,
      clock,
      thresholds: async () => ({
        maxAccountsPerDevice: await settings.getOr('risk.maxAccountsPerDevice', riskDefaults.maxAccountsPerDevice),
        burstPerTenMinutes: await settings.get('channels.burstPerTenMinutes'),
      }),
    }),
    audit,
    idempotency: new IdempotencyService({ db }),
    settings,
    staff,
    roles: new RolesService({ db, audit, clock, staff }),
    mfa,
    onboarding: new OnboardingService({ db, pii, blobs, staff, notifications, audit, publicUrl: inputs.publicUrl, clock }),
    licences: new LicencesService({ db, settings, products, audit, clock }),
    complaints,
    reviews,
    feedback,
    lenderProfiles: new LenderProfilesService({ db, audit, clock, products: catalogue, reviews }),
    staffPerformance: new StaffPerformanceService({ db, audit, pii }),
    analytics: new AnalyticsService({ db, audit, pii, clock }),
    bi: new BiService({ db, audit, clock, pii, notifications }),
    content,
    products,
    promotions,
    ranking,
    searchDictionary,
    loans,
    postLoan: new PostLoanService({ db, notifications, accounts, settings, risk, audit }),
    collections: new CollectionsService({ db, settings, audit, accounts, pii, clock }),
    scheduleChanges: new ScheduleChangesService({ db, notifications, audit, clock }),
    recommendations: new RecommendationsService({ catalogue }),
    notifications,
    identity,
    consents,
    credit,
    odds,
    contracts,
    authorizationLetters: new AuthorizationLetters({ db, contracts, pii }),
    channelPortal: new ChannelPortal({ db, channels, accounts, audit }),
    esign: createESignProvider(inputs.esignProvider ?? 'local', { contracts }),
    channels,
    desk,
  };
  const scheduler = new Scheduler(allWork(domain), { locks: shared.locks, runs: domain.jobs, logger, clock, audit: domain.audit });
  return { ...domain, scheduler };
}

/** Wires adapters → services once. Opens the database and Redis; runs migrations. */
export async function createContainer(
  config: Config,
  overrides: {
    database?: DatabaseHandle;
    shared?: SharedState;
    logger?: Logger;
    clock?: Clock;
    report?: StartupReport;
    /** instead of the configured index (the demo seed's child process: WriteOnlySearchIndex) */
    search?: SearchIndex;
    /** false: no tickers (a process that writes and exits); default: every process but tests' runs them */
    tickers?: boolean;
    /** where an embedded database runs (openDatabase's pgliteThread): the seed's child, which serves nothing, keeps it on its own thread */
    pgliteThread?: 'own' | 'caller';
  } = {},
): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const report = overrides.report;
  const database =
    overrides.database ??
    (await openDatabase({
      url: config.databaseUrl,
      dir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
      sharedBuffers: config.pgliteSharedBuffers,
      wasmCompiler: config.pgliteWasmCompiler,
      pgliteThread: overrides.pgliteThread,
    }));
  report?.mark('database opened');
  await database.migrate();
  report?.mark('migrated');
  const pii = new PiiCipher(config.piiKeys);
  // conversions that need the PII key: personal data kept in clear by older versions is sealed now
  await runDataSteps(database.db, pii, logger);
  const shared = overrides.shared ?? (await connectSharedState(config.redisUrl, config.redisPrefix, { logger }));
  // the Elasticsearch client (~30 MB of RSS once imported) is loaded only when ELASTICSEARCH_URL is set
  const search =
    overrides.search ?? (config.elasticsearchUrl ? (await import('./adapters/elasticsearch')).createSearchIndex(config.elasticsearchUrl) : new MemorySearchIndex());
  // Stripe when a secret key is configured (its SDK, ~12 MB of RSS, is loaded only then); otherwise institutions pay by bank transfer
  const stripe = config.stripe;
  const paymentGateway = stripe?.secretKey ? new (await import('./adapters/stripe')).StripeGateway({ ...stripe, secretKey: stripe.secretKey }) : null;
  const messages =
    config.sms.gatewayUrl && config.sms.gatewaySecret ? new HttpGatewayProvider(config.sms.gatewayUrl, config.sms.gatewaySecret) : new OutboxProvider();
  const services = createServices({
    database,
    pii,
    search,
    shared,
    messages,
    clock: overrides.clock,
    webhookAllowLoopback: config.webhooks.allowLoopback,
    publicUrl: config.publicUrl,
    risk: config.risk,
    documentQuotas: config.documentQuotas,
    documentsDir: path.join(config.dataDir, 'documents'),
    mediaDir: path.join(config.dataDir, 'media'),
    logger,
    paymentGateway,
    esignProvider: config.esignProvider,
    redisPrefix: config.redisPrefix,
  });
  report?.mark('services built');
  await services.catalogue.start();
  report?.mark('catalogue indexed');
  // every instance ranks with the complaint rates of the last 90 days, kept in memory
  await services.complaints.refreshProductRates();
  report?.mark('complaint rates');
  // every instance keeps its in-memory read models fresh (catalogue, complaint rates); tests refresh by hand
  if (overrides.tickers ?? config.env !== 'test') services.scheduler.startTickers();
  const health: HealthCheck[] = [
    { name: 'database', check: () => database.ping() },
    { name: 'redis', check: () => shared.ping() },
    { name: 'search', check: () => search.ping() },
  ];
  return {
    config,
    logger,
    database,
    shared,
    pii,
    search,
    services,
    health,
    close: async () => {
      await services.scheduler.stop();
      await services.desk.stop();
      await services.catalogue.stop();
      await search.close();
      await shared.close();
      await database.close();
    },
  };
}
