/**
 * The name templates give the provider picker (`ui:field: CloudlabProviderPicker`), the same in
 * the new and the legacy frontend system so that one template serves both apps.
 *
 * @public
 */
export const PROVIDER_PICKER_FIELD_NAME = 'CloudlabProviderPicker';
