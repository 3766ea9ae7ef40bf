/**
 * Languages and dialects a party may ask their mediator to speak (老乡调解员), by the tag mediators'
 * skills use (StaffSkill kind "language"). The chat offers only those some mediator of the centre speaks,
 * so nobody is promised a Henan mediator the centre does not have. 普通话 (zh-CN) is everyone's default.
 */
export const LANGUAGES: readonly { tag: string; zh: string; en: string }[] = [
  { tag: "zh-henan", zh: "河南话", en: "Henan dialect" },
  { tag: "zh-sichuan", zh: "四川话", en: "Sichuanese" },
  { tag: "zh-hunan", zh: "湖南话", en: "Hunanese" },
  { tag: "zh-anhui", zh: "安徽话", en: "Anhui dialect" },
  { tag: "zh-shandong", zh: "山东话", en: "Shandong dialect" },
  { tag: "zh-dongbei", zh: "东北话", en: "Northeastern Mandarin" },
  { tag: "yue", zh: "粤语", en: "Cantonese" },
  { tag: "wuu", zh: "吴语（上海话等）", en: "Wu (Shanghainese)" },
  { tag: "hak", zh: "客家话", en: "Hakka" },
  { tag: "nan", zh: "闽南话", en: "Hokkien (Minnan)" },
  { tag: "ug", zh: "维吾尔语", en: "Uyghur" },
  { tag: "bo", zh: "藏语", en: "Tibetan" },
  { tag: "en", zh: "英语", en: "English" },
];

/** The languages worth asking about: known ones some mediator speaks, in the table's order. */
export function offeredLanguages(spoken: Iterable<string>): typeof LANGUAGES {
  const have = new Set(spoken);
  return LANGUAGES.filter((l) => have.has(l.tag));
}

export function languageLabel(tag: string, locale: "zh-CN" | "en"): string {
  const l = LANGUAGES.find((x) => x.tag === tag);
  return l ? (locale === "en" ? l.en : l.zh) : tag;
}
