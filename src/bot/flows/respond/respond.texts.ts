import { defineTexts } from "../../../i18n/index.js";

/** What the other party (usually the respondent) reads: neutral, short, and clear that it is voluntary. */
export const respondTexts = defineTexts({
  "zh-CN": {
    "respond.intro":
      "您好，这里是{centre}。有人申请调解一件与您有关的{type}（案件 {code}），请您参加。\n人民调解是自愿、免费的，不是打官司；调解员会听双方的说法。\n您可以先说说您这边的情况。",
    "respond.statement": "说说我的看法",
    "respond.about": "什么是人民调解",
    "respond.aboutText":
      "人民调解：调解员在双方之间沟通，帮双方自愿达成协议；不收费，也不强迫。达成的协议双方签字后有效，还可以一起申请法院司法确认。不愿意调解也可以，调解员会告诉对方其他途径。",
    "respond.ask": "请说说您这边的情况和想法，调解员会看到：",
    "respond.saved": "已记下您的说法（案件 {code}），调解员会看到，并会联系您。",
    "respond.more": "再补充",
    "respond.back": "返回",
    "respond.file": "已收到文件“{name}”，记入案件 {code}。",
    "notify.statement": "【当事人回复】案件 {code}：{text}",
  },
  en: {
    "respond.intro":
      "Hello, this is the {centre}. Someone has asked for mediation of a {type} matter that concerns you (case {code}), and you are invited to take part.\nPeople's mediation is voluntary and free; it is not a lawsuit, and the mediator listens to both sides.\nYou can start by telling us your side.",
    "respond.statement": "Tell my side",
    "respond.about": "What is mediation?",
    "respond.aboutText":
      "People's mediation: a mediator talks with both sides and helps them reach an agreement of their own free will. It is free and nobody is forced. A signed agreement is binding, and both sides can ask the court to confirm it. If you do not want mediation, the mediator will tell the other side about other routes.",
    "respond.ask": "Please tell us your side and what you would like; the mediator will read it:",
    "respond.saved": "Your account has been recorded (case {code}). The mediator will read it and contact you.",
    "respond.more": "Add more",
    "respond.back": "Back",
    "respond.file": "File \"{name}\" received and added to case {code}.",
    "notify.statement": "[Party's reply] Case {code}: {text}",
  },
});
