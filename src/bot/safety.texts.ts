import { defineTexts } from "../i18n/index.js";

/** The first words someone in danger gets: human, short, with numbers to call. */
export const safetyTexts = defineTexts({
  "zh-CN": {
    "safety.selfHarm":
      "听到您这样说，我们很担心您。您的安全最重要。\n· 现在有危险，请马上拨打 110\n· 心里太难受，可以打心理援助热线 12356（24小时）",
    "safety.violence": "听起来情况很紧急。先别冲动，保护好自己。\n· 现在有人身危险，请马上拨打 110",
    "safety.dutyPhone": "· 中心值班电话：{phone}",
    "safety.paged": "已经通知中心值班人员，他们会尽快在这里回复您。",
    "safety.again": "有危险请马上拨打 110，心理援助热线 12356。值班人员会尽快回复您。",
    "safety.continue": "等您缓一缓，也可以把遇到的事告诉我们，我们帮您登记、安排调解。",
  },
  en: {
    "safety.selfHarm":
      "We are worried about you after what you wrote. Your safety matters most.\n· If you are in danger now, call 110\n· If you are struggling, call the psychological assistance line 12356 (24 hours)",
    "safety.violence": "This sounds urgent. Please stay calm and keep yourself safe.\n· If anyone is in danger now, call 110",
    "safety.dutyPhone": "· The centre's duty phone: {phone}",
    "safety.paged": "The centre's duty staff have been told and will answer you here as soon as they can.",
    "safety.again": "If you are in danger, call 110; psychological assistance line 12356. The duty staff will answer you soon.",
    "safety.continue": "When you are ready, you can also tell us what happened: we will register it and arrange mediation.",
  },
});
