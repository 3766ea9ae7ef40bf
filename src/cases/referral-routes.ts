import type { Locale } from "../i18n/index.js";
import type { DisputeType } from "./types.js";

/**
 * Where a resident can go when the other side will not mediate (or never answers): by dispute type,
 * the routes that fit it, most useful first. Data, not code: a centre adds its own local numbers here.
 */
interface Route {
  zh: string;
  en: string;
}

const COURT: Route = { zh: "向人民法院起诉（可先到法院诉讼服务中心咨询）", en: "Sue in the people's court (its litigation service centre can advise first)" };
const LEGAL_AID: Route = { zh: "拨打 12348 法律援助热线，咨询能否免费请律师", en: "Call 12348, the legal aid hotline, to ask about a free lawyer" };

export const REFERRAL_ROUTES: Record<DisputeType, readonly Route[]> = {
  labor: [
    { zh: "向劳动人事争议仲裁委员会申请劳动仲裁（免费；一般在知道权利受侵害之日起一年内）", en: "Apply for labour arbitration at the labour dispute arbitration committee (free; usually within one year)" },
    { zh: "拨打 12333 人社热线，或到劳动保障监察大队投诉欠薪", en: "Call 12333 (human resources and social security), or report unpaid wages to the labour inspectorate" },
    LEGAL_AID,
  ],
  marriage_family: [
    { zh: "找妇联（12338 妇女维权热线）或婚姻家庭纠纷调解委员会", en: "Contact the Women's Federation (12338 women's rights hotline) or the marriage and family mediation committee" },
    COURT,
    LEGAL_AID,
  ],
  traffic: [
    { zh: "找交警部门的交通事故调解，或向保险公司理赔", en: "Ask the traffic police for accident mediation, or claim from the insurer" },
    COURT,
    LEGAL_AID,
  ],
  medical: [
    { zh: "向卫生健康部门投诉，或申请医疗事故技术鉴定", en: "Complain to the health commission, or ask for a medical accident assessment" },
    COURT,
    LEGAL_AID,
  ],
  consumer: [
    { zh: "拨打 12315 向市场监管部门投诉", en: "Call 12315 to complain to market regulation" },
    COURT,
  ],
  property_mgmt: [
    { zh: "找街道（乡镇）或住房和城乡建设部门的物业管理投诉", en: "Complain to the sub-district (township) office or the housing department's property desk" },
    COURT,
    LEGAL_AID,
  ],
  housing_land: [
    { zh: "土地承包纠纷可申请农村土地承包仲裁；宅基地找乡镇政府", en: "Rural land contract disputes: land contract arbitration; homestead land: the township government" },
    COURT,
    LEGAL_AID,
  ],
  expropriation: [
    { zh: "向作出决定的政府部门申请行政复议，或提起行政诉讼", en: "Ask for administrative review by the deciding authority, or bring an administrative lawsuit" },
    LEGAL_AID,
  ],
  injury_tort: [{ zh: "涉及治安的，可找派出所处理", en: "For public-order matters, go to the police station" }, COURT, LEGAL_AID],
  neighbor: [{ zh: "找村（居）委会或人民调解委员会再调解", en: "Ask the village (residents') committee or people's mediation committee to try again" }, COURT, LEGAL_AID],
  contract_debt: [COURT, LEGAL_AID],
  other: [COURT, LEGAL_AID],
  not_dispute: [LEGAL_AID],
};

/** The routes for a dispute type, one line each, in the resident's language. */
export function referralRoutes(type: DisputeType, locale: Locale): string[] {
  return (REFERRAL_ROUTES[type] ?? REFERRAL_ROUTES.other).map((r) => (locale === "en" ? r.en : r.zh));
}
