#!/usr/bin/env python3
"""One-off: relabel the pre-guide corpus files (train.jsonl, heldout.jsonl) against corpus/classify/GUIDE.md.

Each entry names the file, the exact text and the label the guide gives it; the script refuses to run if a
text is missing or already carries a different label than expected, so it can be re-read as the record of
what was changed and why. Run once, before scripts/split-corpus.ts (it is idempotent: a second run is a no-op).
"""
import json
import sys

# (file, old label, new label, text, reason)
RELABEL = [
    # Partnerships, shareholders, dividends → other (guide: "partnerships and shareholders are other").
    ("train", "contract_debt", "other", "跟别人合作搞养殖，说好的分成他一直不给", "partnership"),
    ("train", "contract_debt", "other", "合伙开的装修公司，合伙人把客户的定金拿走跑了", "partnership"),
    ("train", "contract_debt", "other", "和朋友合伙开饭店，他把店里的钱卷走了", "partnership"),
    ("train", "contract_debt", "other", "和人合伙买了一辆货车，他开着车跑运输，赚的钱一分不给我", "partnership"),
    ("train", "contract_debt", "other", "合伙做生意赚的钱，合伙人不分给我", "partnership"),
    ("train", "contract_debt", "other", "我在朋友的店里投了十万，说好年底分红，结果他说亏了一分没有", "investment share / 分红"),
    ("train", "contract_debt", "other", "股东之间闹矛盾，他们不让我查公司的账", "shareholders / 查账"),
    ("train", "contract_debt", "other", "我们几个人凑钱买了一台收割机，现在有人要退股", "partnership / 退股"),
    ("heldout", "contract_debt", "other", "朋友以投资为名拿走了我二十万，说好的分红一次没给，本金也不退", "investment share / 分红"),
    ("heldout", "contract_debt", "other", "和人合开的小超市散伙了，库存和押金怎么分吵了三个月", "partnership dissolved"),
    ("heldout", "contract_debt", "other", "两个人合伙承包了一段路的工程，工程款结了他全拿走了", "partnership"),
    # Defamation, rumours, insults online, privacy and portrait rights → other.
    ("train", "injury_tort", "other", "有人偷拍我的照片发到网上，配的文字很难听", "privacy / portrait"),
    ("train", "injury_tort", "other", "有人在抖音上发视频说我家的店卖假货，根本没有的事", "defamation"),
    ("train", "injury_tort", "other", "被人在微信群里公开辱骂，还P了我的照片", "insults online / portrait"),
    ("train", "injury_tort", "other", "被人冒充身份在网上借了钱", "identity used by someone else"),
    ("train", "injury_tort", "other", "被同事造谣，说我跟领导有不正当关系，我想让他道歉赔偿", "rumours"),
    ("train", "injury_tort", "other", "有人在网上造谣说我偷人，现在全村人都在传，我名誉受损", "rumours"),
    ("train", "injury_tort", "other", "他当着全村人的面骂我是小偷，让我以后怎么做人", "defamation"),
    ("train", "injury_tort", "other", "有人在网上发帖说我是骗子，还把我的身份证照片发了出去", "defamation / privacy"),
    ("train", "injury_tort", "other", "被人拉进群骂了好几天，还把我的电话号码发出去了", "insults online / privacy"),
    ("train", "injury_tort", "other", "他在村里广播里骂我，说我偷他家的东西，根本没有的事", "defamation"),
    ("train", "injury_tort", "other", "村里有人造谣说我家的孩子不是亲生的", "rumours"),
    ("heldout", "injury_tort", "other", "有人在业主群里说我家是骗子，还发了我家的门牌号", "defamation / privacy"),
    ("heldout", "injury_tort", "other", "有人把我的隐私照片发到了家族群里", "privacy"),
    ("heldout", "injury_tort", "other", "在网上有人冒用我的照片和名字骗钱，现在别人都来骂我", "portrait / name"),
    # Road accidents of any vehicle → traffic.
    ("train", "injury_tort", "traffic", "我老父亲被一个骑车的年轻人撞倒，对方扶都没扶就走了", "pedestrian hit by a rider"),
    ("train", "other", "traffic", "我养的羊跑到公路上被车撞死了，司机说羊乱跑不赔", "road accident, compensation"),
    # Animal bites/stings, theft between people, injuries on business premises → injury_tort.
    ("train", "other", "injury_tort", "别人的蜜蜂飞到我家的地里采蜜，把我家孩子蜇了，是谁的蜂也说不清", "animal sting"),
    ("train", "other", "injury_tort", "家里的狗被邻村的人偷去卖了，找到了他不承认", "theft between people"),
    ("heldout", "other", "injury_tort", "合租的舍友偷拿我的东西", "theft between people"),
    ("train", "consumer", "injury_tort", "游乐场的设施有问题，孩子玩的时候受伤了", "injured on business premises"),
    # Cosmetic procedure that injured someone → medical.
    ("train", "consumer", "medical", "美容院给我做的项目，脸上过敏了，美容院不管", "cosmetic procedure injured"),
    # Buying houses, developers, house quality → housing_land.
    ("train", "consumer", "housing_land", "买的房子是精装修，交房以后发现用的材料都是次品", "developer / house quality"),
    ("train", "consumer", "housing_land", "房产中介收了中介费，合同签好了才发现房子有问题", "house purchase"),
    # A homeowner paying a renovation team that walked off: a consumer of a renovation business.
    ("train", "contract_debt", "consumer", "签了装修合同，装修队做了一半跑了，钱已经付了七成", "renovation business vs consumer"),
    # Sales between individuals → contract_debt.
    ("train", "other", "contract_debt", "二手平台上卖东西，买家收到后说是假的，其实就是他调包了", "sale between individuals"),
    ("train", "other", "contract_debt", "我在网上卖了一张演唱会门票给别人，他说票是假的，要我退钱", "sale between individuals"),
    # Where a boundary runs → housing_land.
    ("train", "neighbor", "housing_land", "隔壁在两家中间砌了一堵墙，占了我家半米地", "boundary"),
    # Land taken for a project and its compensation → expropriation.
    ("train", "housing_land", "expropriation", "村里修水渠占了我家的地，补偿款被村里截留了", "land taken for a project"),
    ("train", "housing_land", "expropriation", "我家的责任田被修路占了一部分，村里没有补偿", "land taken for a project"),
    ("train", "housing_land", "expropriation", "我们家的宅基地被村里规划成了道路，没有给我们重新安排", "land taken for a project, resettlement"),
    # Inheritance / family property fought over by relatives → marriage_family.
    ("train", "housing_land", "marriage_family", "老宅基地上的房子是我爷爷盖的，现在叔叔说归他", "inheritance between relatives"),
    ("train", "housing_land", "marriage_family", "老家的祖宅几个堂兄弟都有份，一个堂哥把它卖了", "family property between relatives"),
    ("train", "housing_land", "marriage_family", "土地承包经营权证上的名字是我爸，现在我们兄弟俩都要这块地", "inheritance between brothers"),
    ("train", "expropriation", "marriage_family", "我家的祖屋在拆迁范围内，几个兄弟为了补偿款吵翻了，拆迁办也不管", "brothers fight over family money"),
    ("train", "expropriation", "marriage_family", "拆迁补偿款被我哥一个人领走了", "brothers fight over family money"),
    ("train", "other", "marriage_family", "我家老人去世了，办丧事的时候亲戚送的礼金大家都说归自己", "estate among relatives"),
    ("train", "other", "marriage_family", "老家的祖上留下的一对花瓶，堂兄弟都说是给他家的", "inheritance between relatives"),
    ("heldout", "other", "marriage_family", "婚礼上收的红包，新郎新娘两家为了归谁吵起来，不是离婚就是份子钱的事", "dispute between in-laws"),
    # Graves and ancestral matters → other.
    ("train", "housing_land", "other", "祖坟所在的那片山被划到了别人的承包地里", "graves"),
    # Someone cheated / harmed the writer: a dispute, not a general question.
    ("train", "not_dispute", "other", "我被网上刷单骗了，要报警吗", "cheated: a dispute (fits no type above)"),
    ("train", "not_dispute", "other", "被电信诈骗了怎么办，钱被骗走了三万", "cheated: a dispute (fits no type above)"),
    ("heldout", "not_dispute", "other", "在网上买的理财被骗了，应该找公安还是法院", "cheated: a dispute (fits no type above)"),
    ("train", "not_dispute", "injury_tort", "我家孩子被人拐走了，找不到了", "harmed by someone (治安)"),
]

FILES = {"train": "corpus/classify/train.jsonl", "heldout": "corpus/classify/heldout.jsonl"}


def main() -> int:
    changed = 0
    for key, path in FILES.items():
        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        by_text = {r["text"]: r for r in rows}
        for file_key, old, new, text, _why in RELABEL:
            if file_key != key:
                continue
            row = by_text.get(text)
            if row is None:
                print(f"{path}: text not found: {text}", file=sys.stderr)
                return 1
            if row["label"] == new:
                continue
            if row["label"] != old:
                print(f"{path}: {text} is {row['label']}, expected {old}", file=sys.stderr)
                return 1
            row["label"] = new
            changed += 1
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({"text": r["text"], "label": r["label"]}, ensure_ascii=False) + "\n")
    print(f"relabelled {changed} line(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
