import { useEffect, useState } from 'preact/hooks';
import type { components } from '@pasar/openapi';
import { api } from './api.ts';
import { t } from './i18n.ts';
import { Select } from './ui.tsx';

type Region = components['schemas']['RegionSummary'];

let provinces: Promise<Region[]> | null = null;
const cities = new Map<string, Promise<Region[]>>();

const listProvinces = () => (provinces ??= api.GET('/regions').then(({ data }) => data?.items ?? []));
function listCities(province: string): Promise<Region[]> {
  if (!cities.has(province)) cities.set(province, api.GET('/regions/{code}', { params: { path: { code: province } } }).then(({ data }) => data?.children ?? []));
  return cities.get(province)!;
}

/** Province, then city (the API's Kemendagri codes): a store's city is a code, not free text. */
export function RegionPicker({ province, city, onChange, error }: { province: string; city: string; onChange: (province: string, city: string) => void; error?: string }) {
  const [provinceList, setProvinceList] = useState<Region[]>([]);
  const [cityList, setCityList] = useState<Region[]>([]);
  useEffect(() => {
    listProvinces().then(setProvinceList).catch(() => undefined);
  }, []);
  useEffect(() => {
    setCityList([]);
    if (province) listCities(province).then(setCityList).catch(() => undefined);
  }, [province]);
  return (
    <>
      <Select label={t('province')} value={province} onValue={(p) => onChange(p, '')}>
        <option value="">{t('chooseProvince')}</option>
        {provinceList.map((r) => (
          <option key={r.code} value={r.code}>
            {r.name}
          </option>
        ))}
      </Select>
      <Select label={t('city')} value={city} onValue={(c) => onChange(province, c)} error={error}>
        <option value="">{province ? t('chooseCity') : t('chooseProvinceFirst')}</option>
        {cityList.map((r) => (
          <option key={r.code} value={r.code}>
            {r.name}
          </option>
        ))}
      </Select>
    </>
  );
}
