/*
 * The search dictionary: everyday words borrowers type → what the products say, or what the
 * words ask for (an order, an employment type). This typed default is version 1; operators
 * save new versions at /admin/search (SearchDictionaryService, table search_dictionary_versions),
 * and the latest version is the one query understanding reads. Cached results are keyed by the
 * dictionary version and dropped when it changes.
 */

/**
 * What a dictionary word asks for besides words:
 * fast — 急用钱, 当天到账: fastest decision and disbursement first;
 * low-apr — 低息, 低利率: lowest all-in APR first;
 * employee — 上班族, 工薪: products an employee (上班族) may apply for.
 */
export const searchIntents = ['fast', 'low-apr', 'employee'] as const;
export type SearchIntent = (typeof searchIntents)[number];

/** what each intent does, in the words operators and borrowers read */
export const intentLabels: Record<SearchIntent, string> = {
  fast: '放款快的优先',
  'low-apr': '综合年化低的优先',
  employee: '上班族可申请',
};

export const dictionaryKinds = ['synonym', 'intent', 'negation'] as const;
export const dictionaryKindLabels: Record<(typeof dictionaryKinds)[number], string> = { synonym: '同义词', intent: '意图', negation: '否定' };

export type DictionaryEntry =
  /** the words are replaced by what products say */
  | { kind: 'synonym'; words: readonly string[]; to: string }
  /** the words ask for an intent and are taken out of the text */
  | { kind: 'intent'; words: readonly string[]; intent: SearchIntent }
  /** a negated word (免抵押 is not 抵押): the words stand for `to` as a whole phrase, and a query for `negates` leaves out products saying `to` */
  | { kind: 'negation'; words: readonly string[]; to: string; negates: string };

export interface SearchDictionary {
  version: number;
  entries: readonly DictionaryEntry[];
}

export const defaultDictionary: SearchDictionary = {
  version: 1,
  entries: [
    { kind: 'negation', words: ['免抵押', '无抵押', '不要抵押', '无需抵押', '不用抵押', '不需要抵押', '不需抵押', '没有抵押', '没抵押', '零抵押', '免抵押贷款', '无抵押贷款'], to: '免抵押', negates: '抵押' },
    { kind: 'synonym', words: ['汽车贷款', '汽车贷', '车贷款', '买车', '购车', '汽车分期', '买车贷款', '购车贷款'], to: '车贷' },
    { kind: 'synonym', words: ['房贷', '房子抵押', '房产抵押', '房屋抵押', '住房抵押', '房抵押', '房产抵押贷款', '房子抵押贷款', '房屋贷款'], to: '房抵贷' },
    { kind: 'synonym', words: ['住房公积金', '公积金贷款', '公积金贷'], to: '公积金' },
    { kind: 'synonym', words: ['信用贷款', '个人信用贷款', '个人信用贷', '纯信用贷款'], to: '信用贷' },
    { kind: 'synonym', words: ['消费贷款'], to: '消费贷' },
    { kind: 'synonym', words: ['经营贷款', '生意贷款', '做生意贷款', '做生意', '小微企业贷款'], to: '经营贷' },
    { kind: 'synonym', words: ['车子抵押', '车辆抵押', '汽车抵押', '车抵押'], to: '车抵贷' },
    { kind: 'synonym', words: ['凭车借钱', '有车借钱', '车主信用贷', '车主贷款'], to: '车主' },
    { kind: 'synonym', words: ['消金', '消费金融公司'], to: '消费金融' },
    { kind: 'synonym', words: ['大额贷款'], to: '额度高' },
    { kind: 'synonym', words: ['结婚', '办婚礼'], to: '婚庆' },
    { kind: 'synonym', words: ['进货', '进货资金'], to: '备货' },
    { kind: 'synonym', words: ['买手机'], to: '手机' },
    { kind: 'synonym', words: ['买家电'], to: '家电' },
    { kind: 'synonym', words: ['买货车'], to: '货车' },
    { kind: 'synonym', words: ['修车', '汽车保养'], to: '保养' },
    { kind: 'synonym', words: ['抵押贷款'], to: '抵押贷' },
    { kind: 'synonym', words: ['装修贷款', '装修贷'], to: '装修' },
    { kind: 'intent', words: ['急用钱', '急需用钱', '急需钱', '急用', '急借', '当天到账', '当天放款', '当日到账', '秒到账', '秒到', '马上到账', '快速到账', '快速放款', '放款快', '到账快'], intent: 'fast' },
    { kind: 'intent', words: ['低息', '低利率', '低利息', '利息低', '利率低', '息低', '便宜'], intent: 'low-apr' },
    { kind: 'intent', words: ['上班族', '工薪族', '工薪阶层', '工薪', '打工人', '白领', '有工作'], intent: 'employee' },
  ],
};
