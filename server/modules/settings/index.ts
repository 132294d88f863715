export { SettingsService, settingDefinitions, settingKeys, type SettingKey, type SettingValue } from './settings.service';
