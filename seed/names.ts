// Invented personal names: common Chinese family names weighted by how common they are (rounded
// shares, per cent), and given names with their pinyin. Any likeness to a real person is chance: nothing
// else about a generated person (ID number, phone, address) can be real.
import { SeededRandom, streamSeed, weightedPick } from './random';

export const familyNames: readonly (readonly [string, string, number])[] = [
  ['王', 'Wang', 7.1], ['李', 'Li', 7.0], ['张', 'Zhang', 6.4], ['刘', 'Liu', 5.4], ['陈', 'Chen', 4.5], ['杨', 'Yang', 3.1],
  ['黄', 'Huang', 2.2], ['赵', 'Zhao', 2.0], ['吴', 'Wu', 2.0], ['周', 'Zhou', 1.9], ['徐', 'Xu', 1.3], ['孙', 'Sun', 1.3],
  ['马', 'Ma', 1.1], ['朱', 'Zhu', 1.1], ['胡', 'Hu', 1.0], ['郭', 'Guo', 1.0], ['何', 'He', 0.9], ['林', 'Lin', 0.9],
  ['高', 'Gao', 0.9], ['罗', 'Luo', 0.9], ['郑', 'Zheng', 0.8], ['梁', 'Liang', 0.7], ['谢', 'Xie', 0.6], ['宋', 'Song', 0.6],
  ['唐', 'Tang', 0.6], ['许', 'Xu', 0.5], ['韩', 'Han', 0.5], ['冯', 'Feng', 0.5], ['邓', 'Deng', 0.5], ['曹', 'Cao', 0.5],
  ['彭', 'Peng', 0.5], ['曾', 'Zeng', 0.5], ['田', 'Tian', 0.4], ['董', 'Dong', 0.4], ['袁', 'Yuan', 0.4], ['于', 'Yu', 0.4],
];

const maleGiven: readonly (readonly [string, string])[] = [
  ['伟', 'Wei'], ['强', 'Qiang'], ['磊', 'Lei'], ['军', 'Jun'], ['勇', 'Yong'], ['杰', 'Jie'], ['涛', 'Tao'], ['明', 'Ming'],
  ['超', 'Chao'], ['刚', 'Gang'], ['平', 'Ping'], ['辉', 'Hui'], ['建华', 'Jianhua'], ['建国', 'Jianguo'], ['国强', 'Guoqiang'],
  ['志刚', 'Zhigang'], ['海峰', 'Haifeng'], ['文斌', 'Wenbin'], ['德明', 'Deming'], ['永利', 'Yongli'], ['振东', 'Zhendong'],
  ['宏伟', 'Hongwei'], ['立新', 'Lixin'], ['长青', 'Changqing'], ['春生', 'Chunsheng'], ['金山', 'Jinshan'], ['庆丰', 'Qingfeng'],
];

const femaleGiven: readonly (readonly [string, string])[] = [
  ['芳', 'Fang'], ['娜', 'Na'], ['敏', 'Min'], ['静', 'Jing'], ['丽', 'Li'], ['艳', 'Yan'], ['娟', 'Juan'], ['霞', 'Xia'],
  ['秀英', 'Xiuying'], ['秀兰', 'Xiulan'], ['桂英', 'Guiying'], ['玉兰', 'Yulan'], ['淑珍', 'Shuzhen'], ['凤英', 'Fengying'],
  ['丽华', 'Lihua'], ['红梅', 'Hongmei'], ['海燕', 'Haiyan'], ['雪梅', 'Xuemei'], ['美玲', 'Meiling'], ['慧敏', 'Huimin'],
  ['晓燕', 'Xiaoyan'], ['春兰', 'Chunlan'], ['秋菊', 'Qiuju'], ['冬梅', 'Dongmei'], ['月娥', 'Yue’e'], ['素芬', 'Sufen'],
];

export interface PersonName {
  family: string;
  given: string;
  familyPinyin: string;
  givenPinyin: string;
}

/** The family name of a person number: from its own stream, so that it can be known without the rest. */
export function familyNameOf(key: string, index: number): readonly [string, string, number] {
  return weightedPick(new SeededRandom(streamSeed(0, key, index)), familyNames, (n) => n[2]);
}

export function personName(key: string, index: number, male: boolean, rng: SeededRandom): PersonName {
  const [family, familyPinyin] = familyNameOf(key, index);
  const [given, givenPinyin] = rng.pick(male ? maleGiven : femaleGiven);
  return { family, given, familyPinyin, givenPinyin };
}

/** The name as FHIR HumanNames: official (Chinese, written whole) and usual (pinyin). */
export function humanNames(name: PersonName): { use: 'official' | 'usual'; text: string; family: string; given: string[] }[] {
  return [
    { use: 'official', text: name.family + name.given, family: name.family, given: [name.given] },
    { use: 'usual', text: `${name.familyPinyin} ${name.givenPinyin}`, family: name.familyPinyin, given: [name.givenPinyin] },
  ];
}
