import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as fontkit from 'fontkit';

/**
 * A font able to draw Chinese, parsed once: pdfkit takes the parsed face and subsets it per
 * document, so a signature does not re-read and re-parse a 5 MB collection (≈50–250 ms) each time.
 */
export interface ContractFont {
  source: string;
  /** the face inside a TrueType collection; undefined for a single font file */
  postscriptName?: string;
  face: fontkit.Font;
}

/** Debian/Ubuntu and Alpine paths of free CJK fonts, first found wins. */
const systemFonts: { file: string; postscriptName?: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', postscriptName: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/wqy-microhei/wqy-microhei.ttc', postscriptName: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', postscriptName: 'WenQuanYiZenHei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
  { file: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
];

/** The npm package shipped as an optional dependency, for a machine without any system CJK font. */
const packagedFont = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

export class ContractFontMissingError extends Error {
  constructor(tried: string[]) {
    super(
      `没有可用的中文字体，无法生成合同 PDF。已查找：${tried.join('；')}。` +
        '请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei），或安装 npm 包 @expo-google-fonts/noto-sans-sc，或设置 CONTRACT_FONT_PATH 指向一个 TTF/OTF 字体文件。',
    );
    this.name = 'ContractFontMissingError';
  }
}

let cached: ContractFont | undefined;

/**
 * Finds the font contracts are drawn with, once: CONTRACT_FONT_PATH (a .ttf/.otf, or a .ttc with
 * CONTRACT_FONT_NAME), then a system CJK font, then the Noto Sans SC file of the optional npm
 * package. None found is a clear error at the first signature, never a PDF of empty boxes.
 */
export function contractFont(env: NodeJS.ProcessEnv = process.env): ContractFont {
  if (cached) return cached;
  const tried: string[] = [];
  const candidates: { file: string; postscriptName?: string }[] = [];
  if (env.CONTRACT_FONT_PATH) candidates.push({ file: env.CONTRACT_FONT_PATH, postscriptName: env.CONTRACT_FONT_NAME || undefined });
  candidates.push(...systemFonts);
  for (const c of candidates) {
    tried.push(c.file);
    if (existsSync(c.file)) return (cached = parsed(c.file, c.postscriptName));
  }
  tried.push(packagedFont);
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve(packagedFont);
  } catch {
    throw new ContractFontMissingError(tried);
  }
  return (cached = parsed(file));
}

function parsed(file: string, postscriptName?: string): ContractFont {
  // fontkit (~7 MB of RSS) is loaded when the first contract is drawn, not at start
  const { create } = createRequire(import.meta.url)('fontkit') as typeof fontkit;
  const font = create(readFileSync(file), postscriptName);
  // a collection without the named face (or no name given) would be a FontCollection: refuse clearly
  if (!('layout' in font)) throw new Error(`字体文件 ${file} 是字体集合，请用 CONTRACT_FONT_NAME 指定其中一个字体（PostScript 名称）`);
  return { source: file, postscriptName, face: font };
}
