import type { Services } from '../container';
import { shanghaiDate, shanghaiDayStart } from '../lib/shanghai-date';
import type { AuditActor } from '../modules/audit';

/**
 * The desk ready to use: every demo operator who may work the desk in every skill group, on duty
 * round the clock for the next week (so `npm start` shows a desk that answers at any hour), and a
 * few canned replies with variables.
 */
export async function seedDemoDesk(services: Services, operatorIds: string[], supervisor: AuditActor): Promise<void> {
  const { desk } = services;
  const agents = (await desk.agents()).filter((a) => operatorIds.includes(a.id)).map((a) => a.id);
  const groups = await desk.groups();
  for (const g of groups) {
    const hours = g.audience === 'institution' ? { opensAtMinute: 540, closesAtMinute: 1080 } : { opensAtMinute: 540, closesAtMinute: 1260 };
    await desk.setGroup(supervisor, g.id, { agentIds: agents, ...hours });
  }
  const today = shanghaiDayStart(shanghaiDate(new Date())).getTime();
  for (let day = 0; day < 7; day++) {
    const startsAt = new Date(today + day * 86_400_000);
    const endsAt = new Date(startsAt.getTime() + 86_400_000);
    for (const g of groups) for (const agentId of agents) await desk.addShift(supervisor, { groupId: g.id, agentId, startsAt, endsAt });
  }
  const replies = [
    { title: '问候', body: '您好，{{称呼}}！我是客服{{坐席}}，很高兴为您服务。请问有什么可以帮您？' },
    { title: '提前还款', body: '{{称呼}}您好，提前还款请在“还款中心”选择对应贷款操作；是否收取违约金以产品页“提前还款”一栏为准。' },
    { title: '已登记投诉', body: '{{称呼}}，您反映的问题已登记为投诉，会话编号 {{会话编号}}。我们会在时限内答复，请留意站内消息。' },
    { title: '结束语', body: '感谢您的咨询，如还有问题随时联系我们。客服{{坐席}}祝您生活愉快！' },
  ];
  for (const r of replies) await desk.saveCanned(supervisor, r);
}
