/**
 * SVG `<text>` that stays inside the picture. An SVG has no text layout, so a label's width is
 * estimated from its length; a label that would cross an edge is anchored to that edge instead,
 * and one wider than the picture is shortened with an ellipsis.
 */

/**
 * Average glyph advance as a fraction of the font size, rounded up so the estimate is an upper
 * bound: measured on timeline.png rendered by rsvg-convert (DejaVu Sans) at 0.54 em for regular
 * labels and 0.67 em for the bold title.
 */
const CHAR_WIDTH_EM = 0.6;
const BOLD_CHAR_WIDTH_EM = 0.7;
/** Distance kept between a label and the picture's edge, px. */
const EDGE_PX = 4;

/** How a label is drawn; `anchor` is where `x` is on the label, as SVG's `text-anchor`. */
export interface TextStyle {
  fontSizePx: number;
  bold?: boolean;
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
}

/** Estimated rendered width of `text`, px (an upper bound for the fonts named in the module doc). */
export function estimateTextWidthPx(text: string, fontSizePx: number, bold = false): number {
  return [...text].length * fontSizePx * (bold ? BOLD_CHAR_WIDTH_EM : CHAR_WIDTH_EM);
}

/** A `<text>` element at (x, y), moved or shortened to fit in [0, widthPx] (see module doc). */
export function placedText(
  text: string,
  xPx: number,
  yPx: number,
  widthPx: number,
  style: TextStyle,
): string {
  const bold = style.bold ?? false;
  const fitted = fitText(text, widthPx - 2 * EDGE_PX, style.fontSizePx, bold);
  const w = estimateTextWidthPx(fitted, style.fontSizePx, bold);
  let anchor = style.anchor ?? 'start';
  let x = xPx;
  const left = anchor === 'start' ? x : anchor === 'middle' ? x - w / 2 : x - w;
  if (left + w > widthPx - EDGE_PX) {
    anchor = 'end';
    x = widthPx - EDGE_PX;
  } else if (left < EDGE_PX) {
    anchor = 'start';
    x = EDGE_PX;
  }
  const attrs = [
    `x="${x.toFixed(1)}"`,
    `y="${yPx.toFixed(1)}"`,
    `font-size="${style.fontSizePx}"`,
    ...(anchor === 'start' ? [] : [`text-anchor="${anchor}"`]),
    ...(bold ? ['font-weight="bold"'] : []),
    ...(style.fill ? [`fill="${style.fill}"`] : []),
  ];
  return `<text ${attrs.join(' ')}>${escapeXml(fitted)}</text>`;
}

/** `text`, cut with an ellipsis if its estimated width exceeds `maxPx`. */
function fitText(text: string, maxPx: number, fontSizePx: number, bold: boolean): string {
  const chars = [...text];
  const perCharPx = estimateTextWidthPx('x', fontSizePx, bold);
  const maxChars = Math.max(1, Math.floor(maxPx / perCharPx));
  return chars.length <= maxChars ? text : chars.slice(0, maxChars - 1).join('') + '…';
}

/** Escapes the five XML special characters as numeric references. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
