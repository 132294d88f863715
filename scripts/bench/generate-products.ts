/**
 * Deterministic, fictional catalogue data for benchmarks: institutions and listed products
 * with realistic Chinese names, tags and summaries, amounts, terms, rates, fees, repayment
 * methods and eligibility rules. The same seed always gives the same data.
 *
 * Every product stays listable: nominal rate ≤ 24%, upfront fee ≤ 2%, monthly fee ≤ 0.2%,
 * and the all-in APR (checked with the pricing module) ≤ 36%; fees are dropped where a
 * short term would push it over.
 */
import type { NewProduct } from '../../server/modules/catalogue';
import type { InstitutionKind } from '../../server/modules/institutions/institutions.schema';
import { APR_LISTING_CAP, productAprRange, type RepaymentMethod } from '../../server/modules/pricing';

/** mulberry32: small, fast, good enough for test data */
export function createRng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  /** k distinct items, in their original order */
  const some = <T>(items: readonly T[], k: number): T[] => {
    const chosen = new Set<number>();
    const want = Math.min(k, items.length);
    while (chosen.size < want) chosen.add(Math.floor(next() * items.length));
    return [...chosen].sort((x, y) => x - y).map((i) => items[i]!);
  };
  return { next, int, pick, chance, some };
}
export type Rng = ReturnType<typeof createRng>;

export interface GeneratedInstitution {
  name: string;
  shortName: string;
  kind: InstitutionKind;
  description: string;
}

/** fictional brand names (no real lender's name) */
export const brands = [
  '华商', '明湖', '安和', '悦享', '速融', '禾信', '云泰', '捷驰', '恒远', '瑞丰',
  '锦程', '嘉禾', '鼎盛', '润和', '青禾', '海晟', '远山', '星河', '长风', '知行',
  '北辰', '南屿', '德信', '永诚', '启航', '和悦', '融通', '信合', '聚源', '丰泽',
  '泰和', '宏图', '新桥', '沐阳', '泽润', '朗润', '岭南', '西湖', '金桥', '安盛',
  '银川', '惠众', '同舟', '晨曦', '万象', '九州', '景行', '合众',
] as const;

const cities = ['深圳', '重庆', '广州', '杭州', '成都', '南京', '苏州', '武汉', '西安', '长沙'] as const;

const institutionShapes: { kind: InstitutionKind; name: (brand: string, city: string) => string; short: (brand: string) => string; about: string }[] = [
  { kind: 'bank', name: (b) => `${b}银行股份有限公司`, short: (b) => `${b}银行`, about: '全国性股份制商业银行，深耕零售与小微金融，线上信贷覆盖工薪、装修与经营等场景。' },
  { kind: 'bank', name: (b) => `${b}农村商业银行股份有限公司`, short: (b) => `${b}农商银行`, about: '立足本地，服务居民与个体工商户，审批灵活、利率实惠。' },
  { kind: 'consumer_finance', name: (b) => `${b}消费金融有限公司`, short: (b) => `${b}消费金融`, about: '持牌消费金融公司，提供家装、购物及日常消费分期服务。' },
  { kind: 'microloan', name: (b, c) => `${c}市${b}网络小额贷款有限公司`, short: (b) => `${b}小贷`, about: '网络小额贷款公司，小额、分散、全线上，最快当天到账。' },
  { kind: 'trust', name: (b) => `${b}信托有限责任公司`, short: (b) => `${b}信托`, about: '信托公司，与银行合作提供经营与房产抵押类融资。' },
  { kind: 'other', name: (b) => `${b}汽车金融有限责任公司`, short: (b) => `${b}汽车金融`, about: '汽车金融公司，专注购车分期与车主信用贷款。' },
];

/** `count` institutions with distinct legal names (names are unique in the database). */
export function generateInstitutions(count: number, seed = 20_260_101): GeneratedInstitution[] {
  const rng = createRng(seed);
  const out: GeneratedInstitution[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const brand = brands[i % brands.length]!;
    const shape = i < brands.length ? rng.pick(institutionShapes) : institutionShapes[(i / brands.length) % institutionShapes.length | 0]!;
    const name = shape.name(brand, rng.pick(cities));
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, shortName: shape.short(brand), kind: shape.kind, description: `${shape.short(brand)}：${shape.about}` });
  }
  return out;
}

export const benchCategories = ['信用贷', '消费贷', '经营贷', '车贷', '房抵贷', '装修贷'] as const;
export type BenchCategory = (typeof benchCategories)[number];

interface CategoryShape {
  weight: number;
  names: readonly string[];
  tags: readonly string[];
  summaries: readonly string[];
  /** yuan */
  min: [number, number];
  max: [number, number];
  terms: readonly number[];
  methods: readonly RepaymentMethod[];
  rate: [number, number];
  documents: readonly string[];
  employment: readonly string[];
}

const shapes: Record<BenchCategory, CategoryShape> = {
  信用贷: {
    weight: 30,
    names: ['薪享贷', '闪电贷', 'e贷', '信用快贷', '公积金信用贷', '白领贷', '随心借', '极速贷', '社保贷', '精英贷', '薪金贷', '工薪贷'],
    tags: ['免抵押', '线上申请', '低息', '秒批', '工薪族', '公积金用户', '随借随还', '按日计息', '审批快', '社保用户', '额度高'],
    summaries: [
      '面向代发工资客户的纯信用贷款，最高{max}，年利率低至{rate}。',
      '连续缴存公积金满一年即可申请，额度按缴存基数核定，随借随还。',
      '手机银行全线上办理，3 分钟申请，最快 1 分钟放款。',
      '一次授信循环使用，随借随还按日计息，最高{max}。',
    ],
    min: [1_000, 10_000],
    max: [50_000, 500_000],
    terms: [3, 6, 12, 24, 36],
    methods: ['equal_installment', 'equal_principal', 'interest_first'],
    rate: [0.032, 0.24],
    documents: ['身份证', '银行卡', '工作证明', '公积金缴存证明', '社保缴纳记录'],
    employment: ['上班族', '自由职业'],
  },
  消费贷: {
    weight: 22,
    names: ['乐购分期', '消费分期', '旅游分期', 'e分期', '家电分期', '随心购', '数码分期', '医美分期', '婚庆分期'],
    tags: ['分期', '低门槛', '秒批', '小额', '线上申请', '免息券', '随借随还'],
    summaries: [
      '手机、家电、数码小额消费分期，最低{min}起借，审批秒级响应。',
      '旅游、婚庆、教育等大额消费一次授信，分期轻松还。',
      '与合作商户直连，下单即可分期，最长 24 期。',
    ],
    min: [500, 5_000],
    max: [20_000, 200_000],
    terms: [3, 6, 9, 12, 18, 24],
    methods: ['equal_installment', 'equal_principal'],
    rate: [0.06, 0.24],
    documents: ['身份证', '银行卡'],
    employment: ['上班族', '个体户', '自由职业'],
  },
  经营贷: {
    weight: 16,
    names: ['经营快贷', '税易贷', '商户贷', '小微快贷', '经营e贷', '发票贷', '流水贷', '惠商经营贷', '供应链贷'],
    tags: ['先息后本', '小微企业', '个体户', '纳税贷', '额度高', '免抵押', '随借随还'],
    summaries: [
      '依托企业纳税与结算数据快速授信，先息后本，缓解小微企业资金周转压力。',
      '为个体工商户和小微企业主量身定制，按年付息到期还本，用款更灵活。',
      '凭企业近两年纳税记录即可授信，纯信用免抵押，最高{max}。',
    ],
    min: [10_000, 100_000],
    max: [300_000, 3_000_000],
    terms: [6, 12, 24, 36],
    methods: ['interest_first', 'equal_installment', 'bullet'],
    rate: [0.035, 0.18],
    documents: ['身份证', '营业执照', '近一年纳税记录', '对公流水'],
    employment: ['个体户', '企业主'],
  },
  车贷: {
    weight: 12,
    names: ['车主贷', '购车分期', '新能源车贷', '二手车贷', '车抵贷', '车主信用贷', '驾享贷'],
    tags: ['车主专享', '不押车', '购车', '新能源', '审批快', '低首付'],
    summaries: [
      '有车即可申请，凭行驶证线上评估，无需押车，最高{max}。',
      '新车、二手车购车分期，首付低至 15%，最长 60 期。',
      '新能源车主专享利率，年利率低至{rate}。',
    ],
    min: [20_000, 50_000],
    max: [200_000, 1_000_000],
    terms: [12, 24, 36, 48, 60],
    methods: ['equal_installment', 'equal_principal'],
    rate: [0.03, 0.16],
    documents: ['身份证', '驾驶证', '行驶证', '银行卡'],
    employment: ['上班族', '个体户', '企业主'],
  },
  房抵贷: {
    weight: 10,
    names: ['房抵贷', '安居房抵贷', '房抵经营贷', '抵押快贷', '安家抵押贷', '房产宝'],
    tags: ['额度高', '期限长', '抵押贷', '低息', '先息后本'],
    summaries: [
      '以名下住房作抵押，最高可贷{max}，最长 30 年，月供压力更小。',
      '以住宅或商铺抵押，评估值七成可贷，专用于生产经营。',
    ],
    min: [100_000, 500_000],
    max: [1_000_000, 10_000_000],
    terms: [12, 36, 60, 120, 240, 360],
    methods: ['equal_installment', 'equal_principal', 'interest_first'],
    rate: [0.03, 0.12],
    documents: ['身份证', '房产证', '婚姻证明', '收入证明'],
    employment: ['上班族', '个体户', '企业主'],
  },
  装修贷: {
    weight: 10,
    names: ['装修贷', '家装分期', '安家装修分期', '焕新装修贷', '整装贷', '装修e贷'],
    tags: ['装修', '家装分期', '期限长', '低息', '资金直付'],
    summaries: [
      '专款用于住房装修，资金直付装修公司，最长 5 年分期轻松还。',
      '新房老房装修均可申请，按装修进度分批放款，利息按实际用款计算。',
      '装修、建材、家电一站式分期，年利率低至{rate}。',
    ],
    min: [10_000, 50_000],
    max: [200_000, 1_000_000],
    terms: [12, 24, 36, 60],
    methods: ['equal_installment', 'equal_principal'],
    rate: [0.03, 0.15],
    documents: ['身份证', '房产证', '装修合同'],
    employment: ['上班族', '个体户', '企业主'],
  },
};

const prefixes = ['', '', '', '尊享', '惠民', '易', '快', '青春', '精英', '安心', '乐享', '星'];
const suffixes = ['', '', '', '', 'Plus', 'Pro', '2026版', 'A款', '尊享版', '极速版'];
const regionSets = [['上海', '江苏', '浙江'], ['广东'], ['北京', '天津', '河北'], ['四川', '重庆'], ['湖北', '湖南'], ['深圳']];
const round = (v: number, step: number) => Math.max(step, Math.round(v / step) * step);
const fixed = (v: number) => v.toFixed(4);
const yuanText = (yuan: number) => (yuan >= 10_000 ? `${yuan / 10_000}万元` : `${yuan}元`);

/** what each kind of lender mostly offers (multiplies the category weights) */
const kindFocus: Record<InstitutionKind, Partial<Record<BenchCategory, number>>> = {
  bank: {},
  consumer_finance: { 经营贷: 0, 房抵贷: 0, 车贷: 0.2, 消费贷: 2, 装修贷: 1.5 },
  microloan: { 房抵贷: 0, 车贷: 0.3, 装修贷: 0.5, 信用贷: 1.5, 消费贷: 1.5 },
  trust: { 消费贷: 0, 信用贷: 0.2, 经营贷: 3, 房抵贷: 4 },
  other: { 车贷: 10, 信用贷: 0.3, 消费贷: 0, 经营贷: 0, 房抵贷: 0, 装修贷: 0 },
};

function pickCategory(rng: Rng, kind: InstitutionKind): BenchCategory {
  const weight = (c: BenchCategory) => shapes[c].weight * (kindFocus[kind][c] ?? 1);
  const total = benchCategories.reduce((s, c) => s + weight(c), 0);
  let x = rng.next() * total;
  for (const c of benchCategories) {
    x -= weight(c);
    if (x < 0) return c;
  }
  return '信用贷';
}

export interface ProductOwner {
  id: string;
  shortName: string;
  kind: InstitutionKind;
}

/** One listed product within the all-in APR cap. */
function generateProduct(rng: Rng, institution: ProductOwner): NewProduct {
  const category = pickCategory(rng, institution.kind);
  const s = shapes[category];
  const brand = institution.shortName.replace(/(农商银行|银行|消费金融|小贷|信托|汽车金融)$/, '');
  const name = `${rng.chance(0.6) ? brand : ''}${rng.pick(prefixes)}${rng.pick(s.names)}${rng.pick(suffixes)}`;
  const minYuan = round(rng.int(s.min[0], s.min[1]), s.min[0] >= 10_000 ? 10_000 : 500);
  const maxYuan = Math.max(minYuan, round(rng.int(s.max[0], s.max[1]), 10_000));
  const terms = rng.some(s.terms, rng.int(1, s.terms.length));
  let methods = rng.some(s.methods, rng.int(1, Math.min(2, s.methods.length)));
  // a single bullet repayment only for up to a year
  if (methods.includes('bullet')) {
    const long = terms.filter((t) => t > 12);
    if (long.length) methods = methods.filter((m) => m !== 'bullet');
    if (!methods.length) methods = ['interest_first'];
  }
  const rateMin = rng.next() * (s.rate[1] - s.rate[0]) * 0.6 + s.rate[0];
  const rateMax = Math.min(0.24, rateMin + rng.next() * (s.rate[1] - rateMin));
  let upfront = rng.chance(0.3) ? 0.005 + rng.next() * 0.015 : 0;
  let monthly = rng.chance(0.2) ? 0.0005 + rng.next() * 0.0015 : 0;
  const summary = rng
    .pick(s.summaries)
    .replace('{max}', yuanText(maxYuan))
    .replace('{min}', yuanText(minYuan))
    .replace('{rate}', `${(rateMin * 100).toFixed(2)}%`);

  const product: NewProduct = {
    institutionId: institution.id,
    name,
    category,
    summary,
    minAmountFen: minYuan * 100,
    maxAmountFen: maxYuan * 100,
    termOptions: terms,
    rateMin: fixed(rateMin),
    rateMax: fixed(rateMax),
    upfrontFeeRate: fixed(upfront),
    upfrontFeeMode: rng.chance(0.85) ? 'deducted' : 'paid',
    monthlyFeeRate: fixed(monthly),
    repaymentMethods: methods,
    eligibility: {
      minAge: rng.pick([18, 18, 20, 22]),
      maxAge: rng.pick([55, 60, 60, 65]),
      minMonthlyIncomeFen: rng.pick([0, 0, 300_000, 500_000, 800_000]),
      regions: rng.chance(0.15) ? rng.pick(regionSets) : [],
      employmentTypes: rng.chance(0.4) ? rng.some(s.employment, rng.int(1, s.employment.length)) : [],
      studentsExcluded: rng.chance(0.9),
      ...(rng.chance(0.3) ? { minCreditScore: rng.int(55, 70) * 10 } : {}),
    },
    requiredDocuments: rng.some(s.documents, rng.int(1, s.documents.length)),
    tags: rng.some(s.tags, rng.int(2, 4)),
    decisionMinutes: rng.pick([1, 3, 5, 10, 30, 60, 120, 1440, 2880]),
    disbursementHours: rng.pick([1, 2, 4, 24, 48, 72]),
    status: 'listed',
  };
  // fees on short terms can push the all-in APR past the cap: drop them until it fits
  const apr = () => productAprRange({ ...product, repaymentMethods: methods, upfrontFeeRate: fixed(upfront), monthlyFeeRate: fixed(monthly) }).max;
  while (apr() > APR_LISTING_CAP - 0.005 && (upfront > 0 || monthly > 0)) {
    if (upfront > 0) upfront = upfront > 0.006 ? upfront / 2 : 0;
    else monthly = monthly > 0.0006 ? monthly / 2 : 0;
  }
  product.upfrontFeeRate = fixed(upfront);
  product.monthlyFeeRate = fixed(monthly);
  if (apr() > APR_LISTING_CAP) throw new Error(`generator bug: ${name} would not be listable`);
  return product;
}

/** `count` listed products spread over the given institutions (weighted: a few large lenders, a long tail). */
export function generateProducts(count: number, institutions: ProductOwner[], seed = 20_260_102): NewProduct[] {
  if (!institutions.length) throw new Error('need at least one institution');
  const rng = createRng(seed);
  const out: NewProduct[] = [];
  for (let i = 0; i < count; i++) {
    // squaring skews towards the first institutions
    const inst = institutions[Math.floor(rng.next() ** 2 * institutions.length)]!;
    out.push(generateProduct(rng, inst));
  }
  return out;
}
