package dev.hangar.api;

/**
 * A user's quota: {@code GET /api/v1/users/{name}/quota} (admins and auditors: anyone; members:
 * themselves, else 404) and the answer of {@code PUT} (admins).
 *
 * @param user the user's name
 * @param role the user's role, whose limits apply where the override sets none
 * @param roleLimits the role's limits from the server config (null fields: unlimited)
 * @param override the per-user override; null when there is none
 * @param effective the limits that apply: the role's, replaced field by field by the override's
 * @param used current use
 */
public record QuotaView(
        String user,
        String role,
        QuotaLimitsView roleLimits,
        QuotaLimitsView override,
        QuotaLimitsView effective,
        QuotaUsageView used) {}
