// Does the customer say the upgrade now works? Read only their own words, one sentence at a
// time, and not when the phrase is negated (没有升级成功), asked about (升级成功后需要重启吗？)
// or the same mail says it still fails.

const NEGATIONS = ['没有', '没', '未', '不', '无法', '未能', '不能'];
const QUESTION_WORDS = ['吗', '是否', '能否', '如何', '怎么'];
const STILL_FAILING = ['还是失败', '仍然失败', '依然失败', '仍失败', '还是报错', '仍然报错', '依然报错', '又失败', '再次失败', '升级失败'];

export function isSuccessReport(ownText: string, phrases: string[]): boolean {
  const text = ownText.replace(/\s+/g, '');
  if (STILL_FAILING.some((p) => text.includes(p))) return false;
  const sentences = text.match(/[^。！？!?；;]+[。！？!?；;]?/g) ?? [];
  return sentences.some((sentence) => {
    if (/[？?]$/.test(sentence) || QUESTION_WORDS.some((q) => sentence.includes(q))) return false;
    return phrases.some((phrase) => {
      for (let at = sentence.indexOf(phrase); at !== -1; at = sentence.indexOf(phrase, at + 1)) {
        const before = sentence.slice(Math.max(0, at - 3), at);
        if (!NEGATIONS.some((n) => before.includes(n))) return true;
      }
      return false;
    });
  });
}

/** A short thank-you or acknowledgement (好的，谢谢！/ 收到): nothing new to answer. */
export function isAcknowledgement(ownText: string): boolean {
  // The first paragraph after the greeting; the signature below it says nothing.
  const first =
    ownText
      .split(/\n\s*\n/)
      .map((p) => p.replace(/^[^\n]*您好[：:，,！!]?\s*/, '').trim())
      .find((p) => p !== '') ?? '';
  const text = first.replace(/\s+/g, '').replace(/[，,。.！!～~]/g, '');
  return (
    text.length <= ACKNOWLEDGEMENT_CHARS &&
    /^(?:好的|好|收到|谢谢|感谢|多谢|辛苦了?|了解|明白|OK|ok)+(?:您|你)?(?:了|啦)?(?:谢谢|感谢)?$/.test(text)
  );
}

/** Longer than this is a message, not an acknowledgement. */
const ACKNOWLEDGEMENT_CHARS = 16;
