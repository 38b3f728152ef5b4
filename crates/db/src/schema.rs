// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "armstates"))]
    pub struct Armstates;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "channel_types"))]
    pub struct ChannelTypes;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "output_trigger_type"))]
    pub struct OutputTriggerType;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "sensor_contact_types"))]
    pub struct SensorContactTypes;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "sensor_eol_count"))]
    pub struct SensorEolCount;
}

diesel::table! {
    alembic_version (version_num) {
        #[max_length = 32]
        version_num -> Varchar,
    }
}

diesel::table! {
    alert (id) {
        id -> Int4,
        start_time -> Nullable<Timestamptz>,
        end_time -> Nullable<Timestamptz>,
        silent -> Nullable<Bool>,
    }
}

diesel::table! {
    alert_sensor (alert_id, sensor_id) {
        alert_id -> Int4,
        sensor_id -> Int4,
        channel -> Nullable<Int4>,
        type_id -> Int4,
        #[max_length = 16]
        name -> Varchar,
        description -> Nullable<Varchar>,
        start_time -> Nullable<Timestamptz>,
        end_time -> Nullable<Timestamptz>,
        delay -> Nullable<Int4>,
        silent -> Nullable<Bool>,
        monitor_period -> Nullable<Int4>,
        monitor_threshold -> Nullable<Int4>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Armstates;

    area (id) {
        id -> Int4,
        #[max_length = 32]
        name -> Varchar,
        arm_state -> Armstates,
        deleted -> Nullable<Bool>,
        ui_order -> Nullable<Int4>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Armstates;

    arm (id) {
        id -> Int4,
        #[sql_name = "type"]
        type_ -> Armstates,
        time -> Timestamptz,
        keypad_id -> Nullable<Int4>,
        user_id -> Nullable<Int4>,
        alert_id -> Nullable<Int4>,
    }
}

diesel::table! {
    arm_sensor (id) {
        id -> Int4,
        arm_id -> Nullable<Int4>,
        sensor_id -> Nullable<Int4>,
        channel -> Int4,
        type_id -> Int4,
        #[max_length = 16]
        name -> Varchar,
        description -> Varchar,
        timestamp -> Nullable<Timestamptz>,
        delay -> Nullable<Int4>,
        enabled -> Bool,
    }
}

diesel::table! {
    argus_event (id) {
        id -> Int8,
        time -> Timestamptz,
        #[max_length = 32]
        kind -> Varchar,
        user_id -> Nullable<Int4>,
        keypad_id -> Nullable<Int4>,
        #[max_length = 32]
        origin -> Nullable<Varchar>,
        area_id -> Nullable<Int4>,
        sensor_id -> Nullable<Int4>,
        detail -> Nullable<Varchar>,
    }
}

diesel::table! {
    argus_outbox (id) {
        id -> Int8,
        #[max_length = 160]
        key -> Varchar,
        #[max_length = 32]
        kind -> Varchar,
        #[max_length = 16]
        channel -> Varchar,
        slot -> Int4,
        recipient -> Varchar,
        body -> Varchar,
        #[max_length = 16]
        state -> Varchar,
        attempts -> Int4,
        next_attempt -> Timestamptz,
        last_error -> Nullable<Varchar>,
        created -> Timestamptz,
        sent -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    argus_rockblock_message (id) {
        id -> Int8,
        #[max_length = 20]
        imei -> Varchar,
        momsn -> Int4,
        #[max_length = 32]
        transmit_time -> Varchar,
        #[max_length = 32]
        serial -> Nullable<Varchar>,
        #[max_length = 1024]
        data -> Varchar,
        iridium_latitude -> Nullable<Float8>,
        iridium_longitude -> Nullable<Float8>,
        iridium_cep -> Nullable<Float8>,
        received -> Timestamptz,
    }
}

diesel::table! {
    argus_firmware (id) {
        id -> Int4,
        #[max_length = 64]
        name -> Varchar,
        #[max_length = 32]
        version -> Varchar,
        created -> Timestamptz,
    }
}

diesel::table! {
    argus_firmware_file (firmware_id, path) {
        firmware_id -> Int4,
        #[max_length = 255]
        path -> Varchar,
        size -> Int8,
        #[max_length = 64]
        sha256 -> Varchar,
    }
}

diesel::table! {
    argus_job (id) {
        id -> Int8,
        #[max_length = 32]
        kind -> Varchar,
        payload -> Varchar,
        #[max_length = 16]
        state -> Varchar,
        attempts -> Int4,
        run_after -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Varchar>,
        created -> Timestamptz,
        finished -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    argus_job_error (id) {
        id -> Int8,
        job_id -> Int8,
        #[max_length = 32]
        kind -> Varchar,
        attempt -> Int4,
        error -> Varchar,
        time -> Timestamptz,
    }
}

diesel::table! {
    argus_node (id) {
        id -> Int4,
        #[max_length = 64]
        name -> Varchar,
        description -> Nullable<Varchar>,
        #[max_length = 20]
        imei -> Nullable<Varchar>,
        heartbeat_seconds -> Int4,
        timeout_seconds -> Int4,
        last_seen -> Nullable<Timestamptz>,
        #[max_length = 64]
        last_address -> Nullable<Varchar>,
        #[max_length = 64]
        firmware -> Nullable<Varchar>,
        enabled -> Bool,
        created -> Timestamptz,
        #[max_length = 256]
        mqtt_availability -> Nullable<Varchar>,
    }
}

diesel::table! {
    argus_lockout (kind, id) {
        #[max_length = 16]
        kind -> Varchar,
        #[max_length = 128]
        id -> Varchar,
        failures -> Int4,
        last_ms -> Int8,
        locked_until_ms -> Nullable<Int8>,
    }
}

diesel::table! {
    argus_lockout_known (user_id, device) {
        user_id -> Int4,
        #[max_length = 128]
        device -> Varchar,
        seen -> Timestamptz,
    }
}

diesel::table! {
    argus_node_event (id) {
        id -> Int8,
        node_id -> Int4,
        seq -> Int8,
        #[max_length = 64]
        input -> Varchar,
        #[max_length = 16]
        state -> Varchar,
        time -> Timestamptz,
        received -> Timestamptz,
        #[max_length = 16]
        source -> Varchar,
    }
}

diesel::table! {
    argus_node_input (node_id, input) {
        node_id -> Int4,
        #[max_length = 64]
        input -> Varchar,
        sensor_id -> Int4,
        #[max_length = 256]
        mqtt_topic -> Nullable<Varchar>,
        #[max_length = 128]
        json_pointer -> Nullable<Varchar>,
        #[max_length = 64]
        active_value -> Nullable<Varchar>,
    }
}

diesel::table! {
    argus_node_token (id) {
        id -> Int4,
        node_id -> Int4,
        #[max_length = 64]
        token_hash -> Varchar,
        created -> Timestamptz,
        expires -> Timestamptz,
        revoked -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    argus_open_arm (arm_id) {
        arm_id -> Int4,
    }
}

diesel::table! {
    argus_ota_job (id) {
        id -> Int4,
        node_id -> Int4,
        firmware_id -> Int4,
        #[max_length = 16]
        state -> Varchar,
        error -> Nullable<Varchar>,
        created -> Timestamptz,
        updated -> Timestamptz,
    }
}

diesel::table! {
    card (id) {
        id -> Int4,
        #[max_length = 64]
        code -> Varchar,
        user_id -> Int4,
        enabled -> Nullable<Bool>,
        description -> Nullable<Varchar>,
    }
}

diesel::table! {
    disarm (id) {
        id -> Int4,
        time -> Nullable<Timestamptz>,
        keypad_id -> Nullable<Int4>,
        user_id -> Nullable<Int4>,
        alert_id -> Nullable<Int4>,
        arm_id -> Nullable<Int4>,
    }
}

diesel::table! {
    keypad (id) {
        id -> Int4,
        enabled -> Nullable<Bool>,
        type_id -> Int4,
    }
}

diesel::table! {
    keypad_type (id) {
        id -> Int4,
        #[max_length = 32]
        name -> Nullable<Varchar>,
        description -> Nullable<Varchar>,
    }
}

diesel::table! {
    option (id) {
        id -> Int4,
        #[max_length = 32]
        name -> Varchar,
        #[max_length = 32]
        section -> Varchar,
        value -> Nullable<Varchar>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::OutputTriggerType;

    output (id) {
        id -> Int4,
        #[max_length = 16]
        name -> Nullable<Varchar>,
        description -> Nullable<Varchar>,
        channel -> Nullable<Int4>,
        state -> Bool,
        trigger_type -> OutputTriggerType,
        area_id -> Nullable<Int4>,
        delay -> Nullable<Int4>,
        duration -> Int4,
        default_state -> Nullable<Bool>,
        ui_order -> Nullable<Int4>,
        enabled -> Nullable<Bool>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::ChannelTypes;
    use super::sql_types::SensorContactTypes;
    use super::sql_types::SensorEolCount;

    sensor (id) {
        id -> Int4,
        channel -> Nullable<Int4>,
        channel_type -> ChannelTypes,
        sensor_contact_type -> SensorContactTypes,
        sensor_eol_count -> SensorEolCount,
        reference_value -> Nullable<Float8>,
        alert -> Bool,
        error -> Bool,
        enabled -> Bool,
        deleted -> Bool,
        #[max_length = 16]
        name -> Varchar,
        description -> Nullable<Varchar>,
        silent_alert -> Nullable<Bool>,
        monitor_period -> Nullable<Int4>,
        monitor_threshold -> Nullable<Int4>,
        zone_id -> Int4,
        area_id -> Int4,
        type_id -> Int4,
        ui_order -> Nullable<Int4>,
        ui_hidden -> Bool,
    }
}

diesel::table! {
    sensor_type (id) {
        id -> Int4,
        #[max_length = 16]
        name -> Nullable<Varchar>,
        description -> Nullable<Varchar>,
    }
}

diesel::table! {
    user (id) {
        id -> Int4,
        #[max_length = 32]
        name -> Varchar,
        #[max_length = 255]
        email -> Nullable<Varchar>,
        #[max_length = 12]
        role -> Varchar,
        #[max_length = 64]
        registration_code -> Nullable<Varchar>,
        registration_expiry -> Nullable<Timestamptz>,
        card_registration_expiry -> Nullable<Timestamptz>,
        #[max_length = 64]
        access_code -> Varchar,
        #[max_length = 64]
        fourkey_code -> Varchar,
        #[max_length = 64]
        mcp_key -> Nullable<Varchar>,
        comment -> Nullable<Varchar>,
    }
}

diesel::table! {
    zone (id) {
        id -> Int4,
        #[max_length = 32]
        name -> Varchar,
        description -> Varchar,
        disarmed_delay -> Nullable<Int4>,
        away_alert_delay -> Nullable<Int4>,
        stay_alert_delay -> Nullable<Int4>,
        away_arm_delay -> Nullable<Int4>,
        stay_arm_delay -> Nullable<Int4>,
        deleted -> Nullable<Bool>,
        ui_order -> Nullable<Int4>,
    }
}

diesel::table! {
    argus_telemetry_hourly (sensor, hour) {
        #[max_length = 64]
        sensor -> Varchar,
        hour -> Timestamptz,
        min -> Float8,
        max -> Float8,
        sum -> Float8,
        count -> Int8,
    }
}

diesel::table! {
    argus_telemetry_latest (sensor) {
        #[max_length = 64]
        sensor -> Varchar,
        value -> Float8,
        #[max_length = 16]
        unit -> Nullable<Varchar>,
        time -> Timestamptz,
        received -> Timestamptz,
    }
}

diesel::table! {
    argus_telemetry_reading (sensor, time) {
        #[max_length = 64]
        sensor -> Varchar,
        time -> Timestamptz,
        value -> Float8,
    }
}

diesel::table! {
    argus_telemetry_rule (id) {
        id -> Int4,
        #[max_length = 64]
        name -> Varchar,
        #[max_length = 64]
        sensor -> Varchar,
        above -> Nullable<Float8>,
        below -> Nullable<Float8>,
        hold_seconds -> Int4,
        hysteresis -> Float8,
        #[max_length = 16]
        action -> Varchar,
        alarm_sensor_id -> Nullable<Int4>,
        enabled -> Bool,
    }
}

diesel::joinable!(alert_sensor -> alert (alert_id));
diesel::joinable!(alert_sensor -> sensor (sensor_id));
diesel::joinable!(alert_sensor -> sensor_type (type_id));
diesel::joinable!(argus_firmware_file -> argus_firmware (firmware_id));
diesel::joinable!(argus_job_error -> argus_job (job_id));
diesel::joinable!(argus_node_event -> argus_node (node_id));
diesel::joinable!(argus_node_input -> argus_node (node_id));
diesel::joinable!(argus_node_input -> sensor (sensor_id));
diesel::joinable!(argus_node_token -> argus_node (node_id));
diesel::joinable!(argus_open_arm -> arm (arm_id));
diesel::joinable!(argus_ota_job -> argus_firmware (firmware_id));
diesel::joinable!(argus_ota_job -> argus_node (node_id));
diesel::joinable!(argus_telemetry_rule -> sensor (alarm_sensor_id));
diesel::joinable!(arm -> alert (alert_id));
diesel::joinable!(arm -> keypad (keypad_id));
diesel::joinable!(arm -> user (user_id));
diesel::joinable!(arm_sensor -> arm (arm_id));
diesel::joinable!(arm_sensor -> sensor (sensor_id));
diesel::joinable!(arm_sensor -> sensor_type (type_id));
diesel::joinable!(card -> user (user_id));
diesel::joinable!(disarm -> alert (alert_id));
diesel::joinable!(disarm -> arm (arm_id));
diesel::joinable!(disarm -> keypad (keypad_id));
diesel::joinable!(disarm -> user (user_id));
diesel::joinable!(keypad -> keypad_type (type_id));
diesel::joinable!(output -> area (area_id));
diesel::joinable!(sensor -> area (area_id));
diesel::joinable!(sensor -> sensor_type (type_id));
diesel::joinable!(sensor -> zone (zone_id));

diesel::allow_tables_to_appear_in_same_query!(
    alembic_version,
    alert,
    alert_sensor,
    area,
    arm,
    arm_sensor,
    argus_event,
    argus_firmware,
    argus_firmware_file,
    argus_job,
    argus_job_error,
    argus_lockout,
    argus_lockout_known,
    argus_node,
    argus_node_event,
    argus_node_input,
    argus_node_token,
    argus_open_arm,
    argus_ota_job,
    argus_outbox,
    argus_rockblock_message,
    argus_telemetry_hourly,
    argus_telemetry_latest,
    argus_telemetry_reading,
    argus_telemetry_rule,
    card,
    disarm,
    keypad,
    keypad_type,
    option,
    output,
    sensor,
    sensor_type,
    user,
    zone,
);
