import { contractFont } from './contract-font';

export interface ContractParty {
  role: string;
  name: string;
}

export interface ContractPdfInput {
  title: string;
  /** the template's body with the variables filled in */
  text: string;
  parties: ContractParty[];
  /** the terms as a table, label → value, drawn before the body (e.g. amount, term, APR) */
  terms: { label: string; value: string }[];
  templateLabel: string;
  signer: string;
  signedAtText: string;
  /** how it was signed, e.g. 电子签署，已通过短信验证码确认 */
  methodText: string;
  ip: string;
  /** SHA-256 of the body text as signed (the file's own hash cannot be inside the file) */
  textSha256: string;
  contractId: string;
  /** the PDF's creation date (kept from the clock so a test can fix it) */
  createdAt: Date;
}

/** Draws the contract: title, parties, terms, the body, and a signature block. pdfkit embeds a subset of the CJK font. */
export async function renderContractPdf(input: ContractPdfInput): Promise<Buffer> {
  const font = contractFont();
  // pdfkit is loaded when the first contract is drawn, not at start
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: input.title, Author: '贷超平台', CreationDate: input.createdAt } });
  // pdfkit accepts a parsed fontkit face (it duck-types `layout`); its types only name paths and buffers
  doc.registerFont('cjk', font.face as unknown as Buffer);
  doc.font('cjk');
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.fontSize(18).text(input.title, { align: 'center' });
  doc.moveDown(0.3).fontSize(9).fillColor('#555').text(`合同编号：${input.contractId}    ${input.templateLabel}`, { align: 'center' });
  doc.fillColor('#000').moveDown();
  doc.fontSize(11);
  for (const p of input.parties) doc.text(`${p.role}：${p.name}`);
  if (input.terms.length > 0) {
    doc.moveDown(0.5).fontSize(12).text('主要条款');
    doc.fontSize(11);
    for (const t of input.terms) doc.text(`${t.label}：${t.value}`);
  }
  doc.moveDown();
  doc.fontSize(11).text(input.text, { lineGap: 3 });
  doc.moveDown(1.5);
  doc.fontSize(12).text('签署信息');
  doc.fontSize(10);
  doc.text(`签署人：${input.signer}`);
  doc.text(`签署时间：${input.signedAtText}（北京时间）`);
  doc.text(`签署方式：${input.methodText}`);
  doc.text(`签署 IP：${input.ip}`);
  doc.text(`正文摘要（SHA-256）：${input.textSha256}`);
  doc.text('本文件的 SHA-256 摘要记录于平台签署证据链，可在平台验证文件是否被改动。');
  doc.end();
  return done;
}
