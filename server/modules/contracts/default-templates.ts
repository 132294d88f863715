import type { ContractKind } from './contracts.types';

/** The platform's first version of each template, inserted on first use when none exists. Variables: `{{name}}`. */
export const defaultTemplates: Record<ContractKind, { title: string; body: string }> = {
  user_agreement: {
    title: '贷超平台用户协议',
    body: `欢迎使用贷超平台（以下简称"平台"）。请你在注册前仔细阅读本协议。

一、平台的性质
平台是贷款信息的比较与撮合服务，本身不发放贷款，也不承诺任何申请一定获批。贷款是否批准、批准的额度与利率，由你申请的持牌金融机构独立决定。

二、账号
1. 你应使用本人手机号注册，并对账号下的操作负责。
2. 请妥善保管密码与短信验证码，不要告诉任何人，包括自称平台工作人员的人。

三、收费
平台不向借款人收取任何费用。任何以"包装资料""提高额度""内部渠道"为由要求你付款的，均为诈骗，请立即向平台投诉。

四、申请与授权
你每次向机构提交申请前，平台会单独请你确认向该机构发送哪些信息；你可以随时撤回授权。

五、协议变更
协议更新时，平台会在你下次登录时展示变更内容并请你重新确认。

六、争议解决
因本协议产生的争议，双方协商解决；协商不成的，提交平台运营方所在地人民法院诉讼解决。`,
  },
  privacy_policy: {
    title: '贷超平台隐私政策',
    body: `本政策说明平台如何收集、使用、保存和保护你的个人信息。

一、我们收集的信息
1. 注册信息：手机号、密码（只保存不可逆的摘要）。
2. 实名信息：姓名、身份证号，用于核验身份与防范欺诈。
3. 申请信息：你填写的收入、职业、借款需求，以及你上传的材料。

二、使用目的
仅用于为你匹配贷款产品、在你授权后向你选定的机构提交申请、防范欺诈以及履行法定义务。

三、对外提供
未经你对每家机构单独授权，我们不会向任何机构提供你的个人信息。你可以在"我的授权"中随时撤回。

四、保存与安全
身份证号、银行卡号等敏感信息加密保存；员工查看完整信息须有权限且留有记录。账号注销后，我们按法律规定的期限删除或匿名化你的信息。

五、你的权利
你可以查询、更正、导出和删除你的个人信息，也可以注销账号。`,
  },
  authorization: {
    title: '个人信息授权书',
    body: `授权人：{{borrowerName}}
被授权机构：{{institutionName}}

本人同意贷超平台将本人的以下信息提供给被授权机构，仅用于审核本人对"{{productName}}"的借款申请：
{{fields}}

本授权自签署之日（{{date}}）起生效。本人可以随时在平台撤回授权；撤回后，被授权机构不得再获取上述信息，已获取的信息按法律规定处理。`,
  },
  loan_contract: {
    title: '借款合同',
    body: `借款人：{{borrowerName}}
贷款人：{{institutionName}}
贷款产品：{{productName}}

第一条 借款金额：人民币 {{amount}}。
第二条 借款期限：{{term}}。
第三条 还款方式：{{repaymentMethod}}。
第四条 年化利率（单利，含全部费用，按内部收益率法计算）：{{apr}}。
第五条 首期应还 {{firstRepayment}}，应还总额 {{totalRepayment}}。除上述金额外，贷款人不得向借款人收取任何其他费用。
第六条 贷款人在借款人确认本合同后，将借款发放至借款人本人名下的银行账户。
第七条 借款人可以提前还款，提前还款只需支付实际占用期间的利息。
第八条 借款人逾期的，贷款人应按法律规定的方式催收，不得骚扰借款人的亲友。
第九条 本合同经借款人电子签署并经短信验证码确认后生效，签署日期：{{date}}。`,
  },
  cooperation: {
    title: '贷超平台合作协议',
    body: `甲方：贷超平台运营方
乙方：{{institutionName}}

鉴于乙方是依法设立的持牌金融机构，双方就乙方在平台展示贷款产品、接收借款申请达成如下协议（第 {{agreementVersion}} 版，自 {{effectiveFrom}} 起生效）：

一、服务费
1. 每条有效线索（CPL）：{{cpl}}。
2. 每笔批核（CPA）：{{cpa}}。
3. 按放款金额分成（CPS）：{{cpsRate}}。
4. 申请在事件发生后 {{reversalWindowDays}} 天内撤回或取消的，相应服务费冲回。

二、乙方承诺
1. 如实展示产品的额度、期限和年化利率，批核利率不超过展示范围，超出时须说明理由并经借款人确认。
2. 仅在借款人授权范围内使用其个人信息。
3. 不得向借款人收取合同约定以外的任何费用。

三、结算
甲方每月出具结算单，乙方核对无误后按约定付款。

四、其他
本协议以电子方式签署，与纸质协议具有同等效力。`,
  },
};

/** The variables an institution's 借款合同 may use; a template naming any other is refused at review. */
export const loanContractVariables = ['borrowerName', 'institutionName', 'productName', 'amount', 'term', 'repaymentMethod', 'apr', 'firstRepayment', 'totalRepayment', 'date'] as const;
