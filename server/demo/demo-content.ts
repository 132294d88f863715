import type { Services } from '../container';
import { shanghaiDate } from '../lib/shanghai-date';
import type { AuditActor } from '../modules/audit';

/** A few published guides and a running campaign, so 攻略 and the home banner have something to show. */
export async function seedDemoContent(services: Services, author: AuditActor): Promise<void> {
  const { content } = services;
  const guides = [
    {
      slug: 'renovation-loan-checklist',
      categoryId: 'cc_loan_basics',
      title: '装修贷款怎么选：先看综合年化，再看月供',
      summary: '装修分期、消费贷和信用贷都能用来装修，比较时要把服务费、管理费都算进综合年化利率。',
      body:
        '<h2>先比综合年化利率</h2><p>同样的月供，费用不同，<strong>综合年化利率</strong>可能差出好几个百分点。按监管要求，利率须按 IRR 方法折算，所有费用都算在内。</p>' +
        '<h2>再看还款方式</h2><ul><li>等额本息：每月还款相同，适合收入稳定的人</li><li>先息后本：前期压力小，到期要一次还清本金</li></ul>' +
        '<blockquote>借多少、借多久，用<a href="/calculator">计算器</a>算清楚再申请。</blockquote>',
    },
    {
      slug: 'avoid-upfront-fee-scams',
      categoryId: 'cc_anti_fraud',
      title: '放款前要先交钱？一律是骗局',
      summary: '“解冻费”“保证金”“刷流水”：正规机构放款前不会让你转账。',
      body: '<p>凡是在放款前以<strong>解冻费、保证金、验资、刷流水</strong>等名义要求转账的，都是诈骗。</p><ol><li>不向个人账户转账</li><li>不透露短信验证码</li><li>不下载来历不明的 App</li></ol>',
    },
    {
      slug: 'credit-report-basics',
      categoryId: 'cc_credit',
      title: '征信报告里的“查询记录”会影响贷款吗',
      summary: '短期内频繁的贷款审批查询，会让机构认为你资金紧张。',
      body: '<h2>哪些查询有影响</h2><p>贷款审批、信用卡审批属于“硬查询”，一个月内过多会影响审批；本人查询不影响。</p><h3>建议</h3><p>一次比价、集中申请，避免到处点“测额度”。</p>',
    },
  ];
  for (const g of guides) {
    const article = await content.createArticle({ ...g, removeCover: undefined }, author);
    await content.publishArticle(article.id, author);
  }
  const today = shanghaiDate(new Date());
  const inAMonth = shanghaiDate(new Date(Date.now() + 30 * 86_400_000));
  await content.createCampaign(
    { title: '理性借贷宣传月', description: '借款前先看懂综合年化利率和全部费用', linkPath: '/guides/renovation-loan-checklist', startDate: today, endDate: inAMonth, status: 'enabled' },
    author,
  );
}
